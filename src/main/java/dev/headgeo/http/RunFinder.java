package dev.headgeo.http;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * One run's answer (its page, a kept report, its kept history) from the instance that holds it: by
 * its key first, as Confluent's interactive-query services do, then, for runs a producer put
 * elsewhere, by asking every instance.
 */
final class RunFinder {
    private final Supplier<RunViews> views;
    private final InstanceRouter router;
    private final RunLookups lookups;

    RunFinder(Supplier<RunViews> views, InstanceRouter router, RunLookups lookups) {
        this.views = views;
        this.router = router;
        this.lookups = lookups;
    }

    /**
     * A run's answer from wherever it is kept: first where its key says (the active instance of its
     * partition, then that partition's standbys while the active one is away); when the active one
     * answers without the run (a producer with another partitioner put it elsewhere) or no instance
     * is known for the key, every instance is asked: the active copy wins, else a standby copy
     * (here first), so a run answers while its owner fails over.
     */
    Reply find(
            HttpCall call,
            String runId,
            String notFound,
            Function<RunViews, RunViews.Copy<?>> lookup) {
        if (FanOut.local(call)) {
            RunViews.Copy<?> mine = lookup.apply(views.get());
            if (mine == null) {
                throw HttpError.notFound(notFound);
            }
            return Reply.ok(mine.value())
                    .withHeader(InstanceRouter.COPY_HEADER, mine.active() ? "active" : "standby");
        }
        List<String> missing = new ArrayList<>();
        // this instance's own stores first: a run it processes needs no one else (and no metadata)
        int before = missing.size();
        RunViews.Copy<?> mine = FanOut.mine(() -> lookup.apply(views.get()), missing);
        boolean readHere = missing.size() == before;
        if (mine != null && mine.active()) {
            lookups.here();
            return Reply.ok(mine.value());
        }
        Set<HostInfo> asked = new HashSet<>();
        Found keyed = byKey(call, runId, mine, readHere, missing, asked);
        if (keyed.reply() != null) {
            lookups.byKey();
            return keyed.reply();
        }
        lookups.byAskingAll();
        InstanceRouter.Gathered others = router.askOthers(call.rawPathAndQuery(), asked);
        missing.addAll(others.missing());
        InstanceRouter.Answer standby = keyed.standby();
        for (InstanceRouter.Answer a : others.answers()) {
            if (a.status() == 200 && !a.standby()) {
                return Reply.raw(200, Reply.JSON, a.body());
            }
            if (a.status() == 200 && standby == null) {
                standby = a;
            }
        }
        if (mine != null) {
            return Reply.ok(mine.value());
        }
        if (standby != null) {
            return Reply.raw(200, Reply.JSON, standby.body());
        }
        if (!missing.isEmpty()) {
            return Reply.error(503, notFound + " on the instances that answered; retry", missing);
        }
        throw HttpError.notFound(notFound);
    }

    /**
     * What the keyed lookup found: the answer when it is settled, else a standby copy seen
     * elsewhere, for the fan-out to weigh.
     */
    private record Found(Reply reply, InstanceRouter.Answer standby) {}

    /**
     * The keyed instances: the active one of the run's partition, then its standbys; {@code mine}
     * is this instance's copy (not an active one), {@code readHere} whether its stores answered.
     */
    private Found byKey(
            HttpCall call,
            String runId,
            RunViews.Copy<?> mine,
            boolean readHere,
            List<String> missing,
            Set<HostInfo> asked) {
        KeyQueryMetadata owner = router.ownerOf(runId);
        if (owner == null) {
            return new Found(null, null);
        }
        List<HostInfo> keyed = new ArrayList<>();
        keyed.add(owner.activeHost());
        keyed.addAll(owner.standbyHosts());
        InstanceRouter.Answer standby = null;
        for (int i = 0; i < keyed.size(); i++) {
            HostInfo host = keyed.get(i);
            boolean active = i == 0;
            boolean answered;
            if (router.isSelf(host)) {
                // the active instance being away, this instance's standby copy of the partition
                if (mine != null && !active) {
                    return new Found(Reply.ok(mine.value()), null);
                }
                answered = readHere;
            } else {
                asked.add(host);
                InstanceRouter.Answer a = router.ask(host, call.rawPathAndQuery());
                if (a == null) {
                    missing.add(InstanceRouter.name(host));
                }
                if (a != null && a.status() == 200 && (!a.standby() || !active)) {
                    return new Found(Reply.raw(200, Reply.JSON, a.body()), null);
                }
                if (a != null && a.status() == 200) {
                    standby = a;
                }
                answered = a != null;
            }
            if (active && answered) {
                // the partition's active instance does not process the run: it is on another
                // partition
                break;
            }
        }
        return new Found(null, standby);
    }
}
