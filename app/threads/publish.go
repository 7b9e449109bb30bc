package threads

import (
	"context"

	"github.com/ownershipbot/ownershipbot/app/config"
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
// on a closed or ignored thread nor with mode never; created only when
// wanted (or the mode says always) and not held; edited in place when its
// text changes; never rewritten with the same text. It reports whether it
// wrote to GitHub.
func (b *Base) Publish(ctx context.Context, n Nudge) (bool, error) {
	t := n.Thread
	if n.Mode == config.CommentNever || t.State != store.StateOpen {
		return false, nil
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
