package dev.djlquant.simd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ParallelBlocksTest {

    /** Block b is [b * length, min(count, (b + 1) * length)): every item once, in its own block. */
    @Property(tries = 200)
    void blocksCoverEveryItemOnceAtFixedBoundaries(
            @ForAll @IntRange(min = 0, max = 300_000) int count,
            @ForAll @IntRange(min = 1, max = 70_000) int length) {
        AtomicIntegerArray seen = new AtomicIntegerArray(count);
        AtomicIntegerArray blockOf = new AtomicIntegerArray(count);
        ParallelBlocks.forEach(
                count,
                length,
                (b, from, to) -> {
                    assertThat(from).isEqualTo(b * length);
                    assertThat(to).isEqualTo(Math.min(count, (b + 1) * length));
                    for (int i = from; i < to; i++) {
                        seen.incrementAndGet(i);
                        blockOf.set(i, b);
                    }
                });
        for (int i = 0; i < count; i++) {
            assertThat(seen.get(i)).isEqualTo(1);
            assertThat(blockOf.get(i)).isEqualTo(i / length);
        }
    }

    /** Below the threshold, and for one block of any size, no block leaves the calling thread. */
    @Test
    void smallWorkAndSingleBlocksStayOnTheCallingThread() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        ParallelBlocks.forEach(
                ParallelBlocks.SEQUENTIAL_BELOW - 1,
                1,
                (b, from, to) -> threads.add(Thread.currentThread()));
        ParallelBlocks.forEach(
                1 << 20, 1 << 20, (b, from, to) -> threads.add(Thread.currentThread()));
        assertThat(threads).containsExactly(Thread.currentThread());
    }
}
