-- extend_leases keeps leased deliveries leased until new_until, so a batch
-- that runs longer than one lease is not taken over while it runs. The
-- worker must still hold every one of them on a lease that has not ended
-- at now_at: a lease that ended may have been claimed again, by this
-- replica or another, and its first worker must stop. It locks their
-- lanes first, in order, raises OB001 and changes nothing otherwise, and
-- moves each lane's ready_at with the lease (refresh_lane), since claims
-- read a leased lane's end from there.
CREATE FUNCTION extend_leases(ids TEXT[], w TEXT, new_until TIMESTAMPTZ, now_at TIMESTAMPTZ)
RETURNS VOID
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    touched TEXT[];
    extended INTEGER;
    l TEXT;
BEGIN
    SELECT array_agg(DISTINCT lane ORDER BY lane) INTO touched FROM deliveries WHERE id = ANY(ids);
    PERFORM 1 FROM lanes WHERE lane = ANY(touched) ORDER BY lane FOR UPDATE;
    UPDATE deliveries SET lease_until = new_until
      WHERE id = ANY(ids) AND status = 'leased' AND worker = w AND lease_until > now_at;
    GET DIAGNOSTICS extended = ROW_COUNT;
    IF extended <> cardinality(ids) THEN
        RAISE EXCEPTION 'delivery % is not leased to %',
            (SELECT i FROM unnest(ids) i
             WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = i AND d.status = 'leased'
                               AND d.worker = w AND d.lease_until = new_until) LIMIT 1), w
            USING ERRCODE = 'OB001';
    END IF;
    IF touched IS NOT NULL THEN
        FOREACH l IN ARRAY touched LOOP
            PERFORM refresh_lane(l, now_at);
        END LOOP;
    END IF;
END
$$;
