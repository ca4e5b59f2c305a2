package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kills service instances with SIGKILL while the load runs, wipes what their pods kept on local
 * disk, and starts them again on the same port. The points are random but reproducible from the
 * seed: the k-th fault comes when the load's progress (runs finished) passes a threshold drawn
 * between 5 % and 85 % of the planned runs; the victims go round the target services (all four by
 * default) in a shuffled order, so with as many faults as targets or more each of them dies at
 * least once, and a service with several instances loses them in turn (from a drawn one on), so
 * with twice as many faults as targets each of two replicas dies once. A killed instance stays
 * down for 0 to 1.5 s (also drawn); meanwhile its pod-local directories are deleted, as a pod
 * rescheduled to another node finds them, before it is started again. The restart runs on a
 * thread of its own, so the next fault comes at its point of the load even while a killed JVM is
 * still starting (instances of different services may be down together). Runs on its own thread,
 * and returns once every restart is done; {@link #injected()} is safe to read from any thread.
 */
final class FaultInjector implements Runnable {
    private final ServiceProcesses services;
    private final AtomicInteger progress;
    private final AtomicBoolean loadOver;
    private final PrintStream log;
    private final List<String> victims = new ArrayList<>();
    private final List<Integer> thresholds = new ArrayList<>();
    private final List<Long> downtimes = new ArrayList<>();
    private final List<InjectedFault> injected = Collections.synchronizedList(new ArrayList<>());
    private volatile RuntimeException failure;

    FaultInjector(ServiceProcesses services, List<String> targets, long seed, int faults, int plannedRuns, AtomicInteger progress,
            AtomicBoolean loadOver, PrintStream log) {
        this.services = requireNonNull(services, "services is null");
        this.progress = requireNonNull(progress, "progress is null");
        this.loadOver = requireNonNull(loadOver, "loadOver is null");
        this.log = requireNonNull(log, "log is null");
        Random random = new Random(seed);
        List<String> round = new ArrayList<>(targets);
        List<String> order = new ArrayList<>();
        while (order.size() < faults) {
            Collections.shuffle(round, random);
            order.addAll(round);
        }
        order.subList(faults, order.size()).clear();
        Map<String, Integer> turns = new HashMap<>();
        for (String service : order) {
            List<String> instances = services.instancesOf(service);
            if (instances.isEmpty()) {
                throw new IllegalArgumentException("no instance of fault target " + service);
            }
            int turn = turns.computeIfAbsent(service, s -> random.nextInt(instances.size()));
            victims.add(instances.get(turn % instances.size()));
            turns.put(service, turn + 1);
        }
        for (int i = 0; i < faults; i++) {
            thresholds.add((int) Math.round(plannedRuns * (0.05 + 0.80 * random.nextDouble())));
            downtimes.add((long) random.nextInt(1500));
        }
        Collections.sort(thresholds);
    }

    @Override
    public void run() {
        // victim to its restart in flight: the load goes on while a JVM starts (the other replicas
        // serve), so the next fault does not wait for it, unless it is the same instance again
        Map<String, Thread> restarts = new HashMap<>();
        try {
            for (int k = 0; k < victims.size(); k++) {
                while (progress.get() < thresholds.get(k)) {
                    if (loadOver.get()) {
                        return;
                    }
                    // polling the load's progress between two faults, not a synchronisation of results
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                String victim = victims.get(k);
                Thread previous = restarts.get(victim);
                if (previous != null) {
                    previous.join();
                }
                int at = progress.get();
                long killedAt = System.nanoTime();
                services.kill(victim);
                long wiped = services.wipe(victim);
                int number = k + 1;
                long downtime = downtimes.get(k);
                Thread restart = new Thread(() -> restart(victim, number, at, downtime, wiped, killedAt), "restart-" + victim);
                restart.start();
                restarts.put(victim, restart);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            log.println("reliability: fault injection failed: " + e.getMessage());
        } finally {
            for (Thread restart : restarts.values()) {
                try {
                    restart.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private void restart(String victim, int number, int at, long downtime, long wiped, long killedAt) {
        try {
            TimeUnit.MILLISECONDS.sleep(downtime);
            services.start(victim);
            long back = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            injected.add(new InjectedFault(services.serviceOf(victim), victim, at, downtime, wiped, back));
            synchronized (log) {
                log.printf("reliability: fault %d/%d: SIGKILL %s after %d finished runs, %d files of its pod-local "
                        + "directories wiped; serving again after %d ms%n", number, victims.size(), victim, at, wiped, back);
                log.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            log.println("reliability: restart of " + victim + " failed: " + e.getMessage());
        }
    }

    List<InjectedFault> injected() {
        synchronized (injected) {
            return List.copyOf(injected);
        }
    }

    /** Why injection stopped early (e.g. a service did not come back), if it did. */
    java.util.Optional<RuntimeException> failure() {
        return java.util.Optional.ofNullable(failure);
    }
}
