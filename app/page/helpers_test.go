package page_test

import (
	"os"
	"strconv"
)

func osTempDir() string { return os.TempDir() }

func removeAndMake(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o700)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func exit(code int) { os.Exit(code) }
