package sqlite

import (
	"encoding/json"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// Leases live in memory, not in the file. One process owns the file (see
// lockFile) and hands every lease back when it opens it, so a lease written
// down would only ever be read by the process that holds it: keeping it in
// memory spares each batch a write transaction for its claim (a WAL commit)
// and the lease's index entries. While leased, a delivery is pending in the
// file; its lane is left out of claims by name (see nextLaneSQL).
type lease struct {
	until        time.Time
	worker       string   // the claim's ClaimOptions.Worker, which alone may extend it
	ids          []string // the batch, in order
	repo         string
	installation int64
}

// lease records a claimed batch of lane, replacing an expired lease of it.
// s.leaseMu is held.
func (s *Store) lease(lane, worker string, batch []store.Delivery, until time.Time) {
	if old, ok := s.leases[lane]; ok {
		for _, id := range old.ids {
			delete(s.leased, id)
		}
	}
	l := &lease{until: until, worker: worker, ids: make([]string, len(batch)), repo: batch[0].Repo(), installation: batch[0].InstallationID}
	for i, d := range batch {
		l.ids[i] = d.ID
		s.leased[d.ID] = lane
	}
	s.leases[lane] = l
}

// extend moves the leases holding ids to until, if worker holds all of
// them and none has ended at now; it reports the first id that fails that.
// s.leaseMu is held.
func (s *Store) extend(worker string, until, now time.Time, ids []string) (string, bool) {
	for _, id := range ids {
		l := s.leases[s.leased[id]]
		if l == nil || l.worker != worker || !l.until.After(now) {
			return id, false
		}
	}
	for _, id := range ids {
		s.leases[s.leased[id]].until = until
	}
	return "", true
}

// allLeased reports whether every id is leased, or the first that is not.
// s.leaseMu is held.
func (s *Store) allLeased(ids []string) (string, bool) {
	for _, id := range ids {
		if _, ok := s.leased[id]; !ok {
			return id, false
		}
	}
	return "", true
}

// unlease ends the leases of ids; a lane whose batch is all finished is
// free for the next claim. s.leaseMu is held.
func (s *Store) unlease(ids []string) {
	for _, id := range ids {
		lane, ok := s.leased[id]
		if !ok {
			continue
		}
		delete(s.leased, id)
		l := s.leases[lane]
		if l == nil {
			continue
		}
		for i, held := range l.ids {
			if held == id {
				l.ids = append(l.ids[:i], l.ids[i+1:]...)
				break
			}
		}
		if len(l.ids) == 0 {
			delete(s.leases, lane)
		}
	}
}

// heldLanes is the JSON array of the lanes whose lease is live at now,
// which claims leave out. s.leaseMu is held.
func (s *Store) heldLanes(now time.Time) string {
	held := make([]string, 0, len(s.leases))
	for lane, l := range s.leases {
		if l.until.After(now) {
			held = append(held, lane)
		}
	}
	b, _ := json.Marshal(held)
	return string(b)
}

// leasedIDs is the JSON array of the deliveries leased now, which a purge
// leaves alone. s.leaseMu is held.
func (s *Store) leasedIDs() string {
	ids := make([]string, 0, len(s.leased))
	for id := range s.leased {
		ids = append(ids, id)
	}
	b, _ := json.Marshal(ids)
	return string(b)
}
