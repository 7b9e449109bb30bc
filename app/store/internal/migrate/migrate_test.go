package migrate

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	cases := []struct {
		name   string
		files  []string
		ok     bool
		sorted []int
	}{
		{"versions from 1 load in order", []string{"0002_b.sql", "0001_a.sql", "0003_c.sql"}, true, []int{1, 2, 3}},
		{"a gap is refused", []string{"0001_a.sql", "0003_c.sql"}, false, nil},
		{"a duplicate version is refused", []string{"0001_a.sql", "0001_b.sql"}, false, nil},
		{"numbering must start at 1", []string{"0000_a.sql"}, false, nil},
		{"a file without a number is refused", []string{"init.sql"}, false, nil},
		{"a file that is not SQL is refused", []string{"0001_a.txt"}, false, nil},
		{"no migrations at all is refused", nil, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"m/.keep/x": {}}
			for _, f := range tc.files {
				fsys["m/"+f] = &fstest.MapFile{Data: []byte("CREATE TABLE " + f[:4] + " (x INT);")}
			}
			ms, err := Load(fsys, "m")
			if (err == nil) != tc.ok {
				t.Fatalf("Load = %v, %v; want ok=%v", ms, err, tc.ok)
			}
			for i, v := range tc.sorted {
				if ms[i].Version != v || ms[i].SQL == "" {
					t.Errorf("migration %d = version %d (%q), want %d", i, ms[i].Version, ms[i].SQL, v)
				}
			}
		})
	}
}

func TestPending(t *testing.T) {
	ms := []Migration{{Version: 1}, {Version: 2}, {Version: 3}}
	for current, want := range map[int]int{0: 3, 1: 2, 3: 0} {
		got, err := Pending(ms, current)
		if err != nil || len(got) != want || (want > 0 && got[0].Version != current+1) {
			t.Errorf("Pending(at %d) = %v, %v; want %d from %d", current, got, err, want, current+1)
		}
	}
	if _, err := Pending(ms, 4); err == nil {
		t.Error("Pending on a database newer than the code succeeded, want an error")
	}
}
