package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen calls wake whenever a replica (this one included) stores a
// delivery or finishes work, through PostgreSQL's LISTEN/NOTIFY on a
// connection of its own, until ctx ends. The channel is named after the
// schema, so databases with several schemas keep their wake-ups apart. A
// lost connection is opened again, with a growing pause, and wake is called
// then too, since notifications sent meanwhile are lost; the workers' slow
// poll covers the gap.
func (s *Store) Listen(ctx context.Context, wake func()) error {
	pause := 100 * time.Millisecond
	for {
		err := s.listen(ctx, wake)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			pause = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pause):
		}
		pause = min(2*pause, 30*time.Second)
	}
}

func (s *Store) listen(ctx context.Context, wake func()) error {
	conn, err := pgx.ConnectConfig(ctx, s.conn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{"ownershipbot_queue:" + schema}.Sanitize()); err != nil {
		return err
	}
	wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
