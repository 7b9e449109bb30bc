package threads

import (
	"context"
	"fmt"

	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Nudge is a handler's view of one thread's bot comment.
type Nudge struct {
	InstallationID int64
	FullName       string // as GitHub spells it
	Thread         *store.Thread
	Mode           string // config.CommentMissing, CommentAlways or CommentNever
	// Wanted means something is missing, so a comment is wanted where
	// there is none yet.
	Wanted bool
	// Hold means no comment is created now, whatever the mode (a draft).
	Hold bool
	Text string
}

// Publish keeps the bot's one comment on a thread true to its state: never
// on a closed or ignored thread; created only when wanted (or the mode says
// always) and not held, so never with mode never; edited in place when its
// text changes, also with mode never, so a comment written before a
// repository went quiet does not go on asking for what is there; never
// rewritten with the same text.
//
// The comment is written once per batch of the thread's deliveries (see
// dispatch.Defer): the last delivery of the batch that publishes decides
// the text, and the write works on the thread as stored at the end of the
// batch, so a burst of events on one thread costs at most one comment write.
func (b *Base) Publish(ctx context.Context, n Nudge) error {
	return dispatch.DeferValue(ctx, PublishKey(n.Thread.Repo, n.Thread.Number), n, mergeNudges,
		func(ctx context.Context, n Nudge) error {
			// Later deliveries of the batch may have changed the thread (its
			// bot comment seen through its own webhook) or forgotten it.
			t, found, err := b.Store.Thread(ctx, n.Thread.Repo, n.Thread.Number)
			if err != nil || !found {
				return err
			}
			n.Thread = &t
			_, err = b.PublishNow(ctx, n)
			return err
		})
}

// PublishKey names a thread's comment work within a batch (dispatch.Defer):
// one per thread, whichever handler asks for it.
func PublishKey(repo string, number int) string {
	return fmt.Sprintf("publish %s#%d", repo, number)
}

// mergeNudges is the nudge of a batch's later delivery, held back from
// creating a comment only if the earlier one was too: one at a time, the
// earlier delivery would have created the comment that the later one
// (a draft, a repair) then only keeps true.
func mergeNudges(earlier, later Nudge) Nudge {
	later.Hold = later.Hold && earlier.Hold
	return later
}

// PublishNow is Publish at once, on n.Thread as given; it reports whether
// it wrote to GitHub. Handlers that defer their own work call it from there.
func (b *Base) PublishNow(ctx context.Context, n Nudge) (bool, error) {
	t := n.Thread
	if t.State != store.StateOpen {
		return false, nil
	}
	if n.Mode == config.CommentNever {
		if t.BotCommentID == 0 {
			return false, nil // quiet: only a comment the store knows is kept true, at no cost to look for one
		}
		n.Hold = true
	}
	if err := b.Publisher.Resolve(ctx, n.InstallationID, n.FullName, t); err != nil {
		return false, err
	}
	hasComment := t.BotCommentID != 0 || t.BotCommentPending
	if !hasComment && (n.Hold || (n.Mode != config.CommentAlways && !n.Wanted)) {
		return false, nil
	}
	return b.Publisher.Write(ctx, n.InstallationID, n.FullName, t, n.Text)
}
