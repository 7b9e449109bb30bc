package storetest

import (
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

func runHistory(t *testing.T, open Opener) {
	t.Run("a backfill starts, advances only from the step it expects, and restarts", func(t *testing.T) {
		s := open(t)
		b, err := s.StartBackfill(ctx(t), store.Backfill{InstallationID: 7, Repo: "acme/web", FullName: "acme/Web",
			Since: t0.Add(-90 * 24 * time.Hour), ItemsTotal: 120, StartedAt: t0, UpdatedAt: t0})
		must(t, err)
		if b.Phase != store.PhaseOpenIssues || b.Cursor != "" || b.Step != 1 || b.ItemsTotal != 120 || b.FullName != "acme/Web" {
			t.Fatalf("started backfill = %+v", b)
		}
		next := b
		next.Cursor, next.Step, next.ItemsDone, next.UpdatedAt = "Y3Vyc29yOjEwMA==", 2, 100, t0.Add(time.Minute)
		ok, err := s.AdvanceBackfill(ctx(t), next, 1)
		if err != nil || !ok {
			t.Fatalf("AdvanceBackfill from step 1 = %v, %v; want stored", ok, err)
		}
		stale := b
		stale.Cursor, stale.Step = "stale", 2
		if ok, err := s.AdvanceBackfill(ctx(t), stale, 1); err != nil || ok {
			t.Fatalf("a second AdvanceBackfill from step 1 = %v, %v; want refused", ok, err)
		}
		got, found, err := s.Backfill(ctx(t), "acme/web")
		if err != nil || !found || got.Cursor != next.Cursor || got.Step != 2 || got.ItemsDone != 100 || !got.UpdatedAt.Equal(next.UpdatedAt) {
			t.Fatalf("Backfill = %+v, %v, %v; want the first advance", got, found, err)
		}
		must(t, s.MarkSwept(ctx(t), "acme/web", t0.Add(time.Hour)))
		again, err := s.StartBackfill(ctx(t), store.Backfill{InstallationID: 7, Repo: "acme/web", FullName: "acme/web", StartedAt: t0})
		must(t, err)
		if again.Step <= got.Step || again.Cursor != "" || again.ItemsDone != 0 || again.Phase != store.PhaseOpenIssues {
			t.Fatalf("restarted backfill = %+v; want a fresh start with a larger step than %d", again, got.Step)
		}
		if !again.SweptAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("restart lost the sweep time: %v", again.SweptAt)
		}
		_, err = s.StartBackfill(ctx(t), store.Backfill{InstallationID: 8, Repo: "globex/app", FullName: "globex/app", StartedAt: t0})
		must(t, err)
		all, err := s.Backfills(ctx(t), 0)
		must(t, err)
		mine, err := s.Backfills(ctx(t), 7)
		must(t, err)
		if len(all) != 2 || len(mine) != 1 || mine[0].Repo != "acme/web" {
			t.Errorf("Backfills(0) = %d rows, Backfills(7) = %+v", len(all), mine)
		}
	})

	t.Run("a redelivery is counted per delivery", func(t *testing.T) {
		s := open(t)
		for want := 1; want <= 2; want++ {
			n, err := s.NoteRedelivery(ctx(t), "guid-1", 7, t0)
			if err != nil || n != want {
				t.Fatalf("NoteRedelivery = %d, %v; want %d", n, err, want)
			}
		}
		if n, err := s.Redeliveries(ctx(t), "guid-1"); err != nil || n != 2 {
			t.Errorf("Redeliveries(guid-1) = %d, %v; want 2", n, err)
		}
		if n, err := s.Redeliveries(ctx(t), "guid-2"); err != nil || n != 0 {
			t.Errorf("Redeliveries(guid-2) = %d, %v; want 0", n, err)
		}
	})

	t.Run("a lock has one holder at a time", func(t *testing.T) {
		s := open(t)
		unlock, ok, err := s.TryLock(ctx(t), "redeliver")
		if err != nil || !ok {
			t.Fatalf("first TryLock = %v, %v", ok, err)
		}
		if _, ok, err := s.TryLock(ctx(t), "redeliver"); err != nil || ok {
			t.Fatalf("second TryLock = %v, %v; want refused while held", ok, err)
		}
		other, ok, err := s.TryLock(ctx(t), "sweep")
		if err != nil || !ok {
			t.Fatalf("TryLock of another name = %v, %v", ok, err)
		}
		other()
		unlock()
		again, ok, err := s.TryLock(ctx(t), "redeliver")
		if err != nil || !ok {
			t.Fatalf("TryLock after unlock = %v, %v", ok, err)
		}
		again()
	})

	t.Run("history only adds comments, never overwrites them", func(t *testing.T) {
		s := open(t)
		live := comment("issue_comment", 1, "acme/web", 1, t0, "product", "performance")
		must(t, s.PutComment(ctx(t), live))
		old := comment("issue_comment", 1, "acme/web", 1, t0, "implementation")
		if added, err := s.AddComment(ctx(t), old); err != nil || added {
			t.Fatalf("AddComment over a stored comment = %v, %v; want not added", added, err)
		}
		fresh := comment("issue_comment", 2, "acme/web", 1, t0, "product", "reliability", "customer_impact")
		if added, err := s.AddComment(ctx(t), fresh); err != nil || !added {
			t.Fatalf("AddComment of a new comment = %v, %v; want added", added, err)
		}
		must(t, s.PutComment(ctx(t), comment("review", 3, "acme/web", 2, t0, "implementation")))
		got, err := s.ThreadComments(ctx(t), "acme/web", 1)
		must(t, err)
		if len(got) != 2 || !sameComment(got[0], live) || !sameComment(got[1], fresh) {
			t.Errorf("ThreadComments(acme/web#1) = %+v; want the live comment and the added one", got)
		}
	})

	t.Run("a completed delivery keeps no payload; a forgotten one leaves no row", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "acme/web#1", t0), delivery("d2", "installation:42", t0.Add(time.Second)),
			delivery("d3", "installation:42", t0.Add(2*time.Second)))
		must(t, s.Complete(ctx(t), claimID(t, s, time.Minute)))
		if d := mustDelivery(t, s, "d1"); d.Status != store.DeliveryDone || len(d.Payload) != 0 {
			t.Errorf("done delivery = status %s, %d payload bytes; want done and none", d.Status, len(d.Payload))
		}
		must(t, s.Forget(ctx(t), claimID(t, s, time.Minute)))
		if _, ok, err := s.Delivery(ctx(t), "d2"); err != nil || ok {
			t.Errorf("forgotten delivery still stored (%v, %v)", ok, err)
		}
		if id := claimID(t, s, time.Minute); id != "d3" {
			t.Errorf("after forgetting d2 its order key's next delivery is %q, want d3", id)
		}
	})

	t.Run("an uninstall deletes the installation's deliveries and backfills, not the one in flight", func(t *testing.T) {
		s := open(t)
		uninstall := delivery("uninstall", "installation:42", t0)
		mustEnqueue(t, s, uninstall, delivery("later", "acme/web#3", t0.Add(time.Second)))
		other := delivery("other", "globex/app#1", t0.Add(2*time.Second))
		other.InstallationID = 8
		mustEnqueue(t, s, other)
		if id := claimID(t, s, time.Minute); id != "uninstall" {
			t.Fatalf("claimed %s first", id)
		}
		_, err := s.StartBackfill(ctx(t), store.Backfill{InstallationID: 42, Repo: "acme/web", FullName: "acme/web", StartedAt: t0})
		must(t, err)
		_, err = s.NoteRedelivery(ctx(t), "guid-9", 42, t0)
		must(t, err)
		must(t, s.DeleteInstallation(ctx(t), 42))
		if _, ok, _ := s.Delivery(ctx(t), "later"); ok {
			t.Error("a queued delivery of the uninstalled installation is still stored")
		}
		if _, ok, _ := s.Backfill(ctx(t), "acme/web"); ok {
			t.Error("the backfill of the uninstalled installation is still stored")
		}
		if n, _ := s.Redeliveries(ctx(t), "guid-9"); n != 0 {
			t.Error("the redelivery request of the uninstalled installation is still stored")
		}
		must(t, s.Forget(ctx(t), "uninstall"))
		if id := claimID(t, s, time.Minute); id != "other" {
			t.Errorf("the next claim is %q, want the other installation's delivery", id)
		}
	})

	t.Run("retention forgets old closed threads and failed deliveries, keeps open and recent ones", func(t *testing.T) {
		s := open(t)
		put := func(n int, state store.ThreadState, updated time.Time) {
			th := thread("acme/web", n)
			th.State, th.UpdatedAt = state, updated
			must(t, s.PutThread(ctx(t), th))
			must(t, s.PutComment(ctx(t), comment("issue_comment", int64(n), "acme/web", n, updated, "product", "scope")))
		}
		put(1, store.StateClosed, t0.Add(-100*24*time.Hour))
		put(2, store.StateClosed, t0.Add(-10*24*time.Hour))
		put(3, store.StateOpen, t0.Add(-400*24*time.Hour))
		mustEnqueue(t, s, delivery("old-failed", "", t0.Add(-100*24*time.Hour)))
		must(t, s.Fail(ctx(t), "old-failed", "boom"))
		_, err := s.NoteRedelivery(ctx(t), "guid-old", 42, t0.Add(-5*24*time.Hour))
		must(t, err)
		n, err := s.PruneHistory(ctx(t), t0.Add(-90*24*time.Hour), t0.Add(-3*24*time.Hour))
		must(t, err)
		if n < 4 {
			t.Errorf("PruneHistory removed %d rows, want at least 4", n)
		}
		if _, ok := mustThread(t, s, "acme/web", 1); ok {
			t.Error("a thread closed 100 days ago is still stored")
		}
		if _, ok := mustComment(t, s, "issue_comment", 1); ok {
			t.Error("a comment of a thread closed 100 days ago is still stored")
		}
		for _, n := range []int{2, 3} {
			if _, ok := mustThread(t, s, "acme/web", n); !ok {
				t.Errorf("acme/web#%d was pruned", n)
			}
		}
		if _, ok, _ := s.Delivery(ctx(t), "old-failed"); ok {
			t.Error("a delivery that failed 100 days ago is still stored")
		}
		if n, _ := s.Redeliveries(ctx(t), "guid-old"); n != 0 {
			t.Error("an old redelivery request is still stored")
		}
	})
}
