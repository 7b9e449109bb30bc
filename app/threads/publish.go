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
	// OnWritten, if set, runs after the comment was written to GitHub.
	OnWritten func(ctx context.Context) error
}

// Publish keeps the bot's one comment on a thread true to its state: never
// on a closed or ignored thread nor with mode never; created only when
// wanted (or the mode says always) and not held; edited in place when its
// text changes; never rewritten with the same text.
//
// The comment is written once per batch of the thread's deliveries (see
// dispatch.Defer): the last delivery of the batch that publishes decides
// the text, and the write works on the thread as stored at the end of the
// batch, so a burst of events on one issue costs at most one GitHub write.
func (b *Base) Publish(ctx context.Context, n Nudge) error {
	key := fmt.Sprintf("publish %s#%d", n.Thread.Repo, n.Thread.Number)
	return dispatch.DeferValue(ctx, key, n, mergeNudges, b.publishNow)
}

// mergeNudges is the nudge of a batch's later delivery, held back from
// creating a comment only if the earlier one was too: one at a time, the
// earlier delivery would have created the comment that the later one
// (a draft, a repair) then only keeps true.
func mergeNudges(earlier, later Nudge) Nudge {
	later.Hold = later.Hold && earlier.Hold
	return later
}

func (b *Base) publishNow(ctx context.Context, n Nudge) error {
	if n.Mode == config.CommentNever || n.Thread.State != store.StateOpen {
		return nil
	}
	// Later deliveries of the batch may have changed the thread (its bot
	// comment seen through its own webhook) or forgotten it (deleted).
	t, found, err := b.Store.Thread(ctx, n.Thread.Repo, n.Thread.Number)
	if err != nil || !found || t.State != store.StateOpen {
		return err
	}
	if err := b.Publisher.Resolve(ctx, n.InstallationID, n.FullName, &t); err != nil {
		return err
	}
	hasComment := t.BotCommentID != 0 || t.BotCommentPending
	if !hasComment && (n.Hold || (n.Mode != config.CommentAlways && !n.Wanted)) {
		return nil
	}
	wrote, err := b.Publisher.Write(ctx, n.InstallationID, n.FullName, &t, n.Text)
	if err != nil || !wrote || n.OnWritten == nil {
		return err
	}
	return n.OnWritten(ctx)
}
