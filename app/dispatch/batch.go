package dispatch

import "context"

// A batch is deliveries of one lane (one issue or pull request) that a
// worker handles together, in order. Handlers apply each delivery to the
// stored state as it comes, and leave what is worth doing only once per
// batch, such as writing the bot comment, to Defer: the pool runs it after
// the batch's last delivery and before it completes them, so a burst of
// events on one issue costs one GitHub write.
type batch struct {
	current int // index of the delivery being handled
	work    []*deferred
	once    map[string]any // see Once
}

// deferred is work left for the end of a batch.
type deferred struct {
	key   string
	owner int // the delivery that deferred it last: redoing it redoes this work
	value any // what DeferValue was given, merged
	run   func(ctx context.Context) error
}

type batchKey struct{}

func withBatch(ctx context.Context, b *batch) context.Context {
	return context.WithValue(ctx, batchKey{}, b)
}

// Defer runs fn at the end of the batch that ctx's delivery belongs to, in
// place of work deferred earlier in the batch under the same key (a later
// delivery knows better what the end state is). Outside a batch it runs fn
// at once. fn must read what it needs from the store again: other
// deliveries of the batch may have changed it meanwhile.
func Defer(ctx context.Context, key string, fn func(ctx context.Context) error) error {
	return DeferValue(ctx, key, struct{}{}, nil, func(ctx context.Context, _ struct{}) error { return fn(ctx) })
}

// DeferValue is Defer for work described by a value: when work is already
// deferred under key, merge (if not nil) combines the earlier value with v,
// and run gets what it returns.
func DeferValue[T any](ctx context.Context, key string, v T, merge func(earlier, later T) T, run func(context.Context, T) error) error {
	b, ok := ctx.Value(batchKey{}).(*batch)
	if !ok {
		return run(ctx, v)
	}
	for _, w := range b.work {
		if w.key != key {
			continue
		}
		if earlier, ok := w.value.(T); ok && merge != nil {
			v = merge(earlier, v)
		}
		w.owner, w.value = b.current, v
		w.run = func(ctx context.Context) error { return run(ctx, v) }
		return nil
	}
	b.work = append(b.work, &deferred{key: key, owner: b.current, value: v, run: func(ctx context.Context) error { return run(ctx, v) }})
	return nil
}

// flush runs the deferred work, each in the order first deferred, and
// reports the earliest delivery whose deferred work failed (with its error),
// or -1.
func (b *batch) flush(ctx context.Context, run func(ctx context.Context, fn func(context.Context) error) error) (int, error) {
	failed, failure := -1, error(nil)
	for _, w := range b.work {
		if err := run(ctx, w.run); err != nil && (failed < 0 || w.owner < failed) {
			failed, failure = w.owner, err
		}
	}
	b.work = nil
	return failed, failure
}

// Once returns what fn returns for key, asked once per batch: the batch's
// later deliveries get the first one's answer (an error is not kept).
// Outside a batch it calls fn. It is for what the deliveries of one issue
// all read and a batch does not change, such as whether the App is
// suspended on the installation.
func Once[T any](ctx context.Context, key string, fn func() (T, error)) (T, error) {
	b, ok := ctx.Value(batchKey{}).(*batch)
	if !ok {
		return fn()
	}
	if v, ok := b.once[key].(T); ok {
		return v, nil
	}
	v, err := fn()
	if err != nil {
		return v, err
	}
	if b.once == nil {
		b.once = map[string]any{}
	}
	b.once[key] = v
	return v, nil
}
