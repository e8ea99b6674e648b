package dev.djlquant.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFiles#fillThenInstall}, which the checkpoint writer and the archive cache share: the
 * temporary directory, however deep, never outlives a failure, and the error is the first one.
 */
class AtomicFilesTest {

    @TempDir Path tmp;

    @Test
    void aFilledTemporaryIsInstalled() throws IOException {
        Path temporary = Files.createDirectory(tmp.resolve(".t.partial"));
        Path target = tmp.resolve("t");

        AtomicFiles.fillThenInstall(
                temporary, AtomicFilesTest::fillDeep, () -> Files.move(temporary, target));

        assertThat(target.resolve("a/b/c.txt")).hasContent("c");
        assertThat(names()).containsExactly("t");
    }

    @Test
    void aFailedFillLeavesNothingInstallsNothingAndRethrowsItsError() throws IOException {
        for (Exception error :
                List.of(new IOException("disk full"), new IllegalStateException("bad entry"))) {
            Path temporary = Files.createDirectory(tmp.resolve(".t.partial"));
            boolean[] installed = {false};

            assertThatThrownBy(
                            () ->
                                    AtomicFiles.fillThenInstall(
                                            temporary,
                                            dir -> {
                                                fillDeep(dir);
                                                rethrow(error);
                                            },
                                            () -> installed[0] = true))
                    .isSameAs(error);
            assertThat(installed[0]).isFalse();
            assertThat(names()).isEmpty();
        }
    }

    @Test
    void aFailedInstallDeletesTheTemporaryAndKeepsTheTarget() throws IOException {
        Path temporary = Files.createDirectory(tmp.resolve(".t.partial"));
        Files.createDirectories(tmp.resolve("t/other"));

        assertThatThrownBy(
                        () ->
                                AtomicFiles.fillThenInstall(
                                        temporary,
                                        AtomicFilesTest::fillDeep,
                                        () -> Files.move(temporary, tmp.resolve("t"))))
                .isInstanceOf(IOException.class)
                .hasNoSuppressedExceptions();
        assertThat(names()).containsExactly("t");
        assertThat(tmp.resolve("t/other")).isEmptyDirectory();
    }

    /** The target moved aside before a rename that then fails is moved back, whole. */
    @Test
    void aFailedRenameOverATargetPutsTheTargetBack() throws IOException {
        Path target = tmp.resolve("t");
        Files.createDirectories(target.resolve("kept"));
        Path old = tmp.resolve(".t.old");
        Files.move(target, old);

        assertThatThrownBy(() -> AtomicFiles.installOver(tmp.resolve(".t.missing"), target, old))
                .isInstanceOf(IOException.class);
        assertThat(names()).containsExactly("t");
        assertThat(target.resolve("kept")).isEmptyDirectory();
    }

    /** A temporary file of a killed writeFile (metadata.json, say) goes with the next write. */
    @Test
    void writeFileRemovesTheTemporaryFilesOfEndedWriters() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        Path killed = tmp.resolve(".m.json.tmp-" + done.pid() + "-" + UUID.randomUUID());
        Path running =
                tmp.resolve(
                        ".m.json.tmp-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
        Files.writeString(killed, "{\"part");
        Files.writeString(running, "{\"part");

        AtomicFiles.writeFile(tmp.resolve("m.json"), "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(tmp.resolve("m.json")).hasContent("{}");
        assertThat(killed).doesNotExist();
        assertThat(running).exists();
    }

    /**
     * A name of 255 bytes, the most a file name may have, is written and replaced: the temporary
     * siblings shorten it rather than add 48 characters to it; and a killed writer's sibling of
     * such a name still goes with the next write.
     */
    @Test
    void theLongestNamesAreWrittenAndTheirKilledTemporariesRemoved() throws Exception {
        for (String name : List.of("y".repeat(255), "é".repeat(127), "𝔵".repeat(63))) {
            Path target = tmp.resolve(name);
            String[] temporary = new String[1];
            AtomicFiles.writeDirectory(
                    target,
                    t -> {},
                    dir -> {
                        temporary[0] = dir.getFileName().toString();
                        Files.writeString(dir.resolve("a.txt"), "first");
                    });
            Process done = new ProcessBuilder("true").start();
            done.waitFor();
            String self = "-" + ProcessHandle.current().pid() + "-";
            assertThat(temporary[0]).contains(self);
            Path killed = tmp.resolve(temporary[0].replace(self, "-" + done.pid() + "-"));
            Files.createDirectory(killed);

            AtomicFiles.writeDirectory(
                    target, t -> {}, dir -> Files.writeString(dir.resolve("a.txt"), "second"));

            assertThat(target.resolve("a.txt")).hasContent("second");
            assertThat(names()).containsExactly(name);
            AtomicFiles.deleteRecursively(target);
            AtomicFiles.writeFile(target, "file".getBytes(StandardCharsets.UTF_8));
            assertThat(target).hasContent("file");
            Files.delete(target);
        }
    }

    /**
     * A failed write removes the parent directories it created for its target, and only those: the
     * ancestor that existed before stays, with what it held.
     */
    @Test
    void aFailedWriteRemovesTheParentsItCreated() throws IOException {
        Files.createDirectories(tmp.resolve("kept"));
        Files.writeString(tmp.resolve("kept/notes.txt"), "mine");
        Path target = tmp.resolve("kept/new/deeper/ck");

        assertThatThrownBy(
                        () ->
                                AtomicFiles.writeDirectory(
                                        target,
                                        t -> {},
                                        dir -> {
                                            fillDeep(dir);
                                            throw new IOException("disk full");
                                        }))
                .hasMessage("disk full");

        assertThat(tmp.resolve("kept/new")).doesNotExist();
        assertThat(tmp.resolve("kept/notes.txt")).hasContent("mine");
        AtomicFiles.writeDirectory(target, t -> {}, AtomicFilesTest::fillDeep);
        assertThat(target.resolve("a/b/c.txt")).hasContent("c");
    }

    /** A link is deleted, not followed, even one whose target is gone. */
    @Test
    void deleteRecursivelyRemovesABrokenLink() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("gone"));

        AtomicFiles.deleteRecursively(link);

        assertThat(names()).isEmpty();
    }

    /** What the shutdown hook does to a write whose fill is still running: SIGTERM mid-write. */
    @Test
    void shutdownDuringTheFillDeletesTheTemporaryAndInstallsNothing() throws Exception {
        Path temporary = Files.createDirectory(tmp.resolve(".t.partial"));
        CountDownLatch filling = new CountDownLatch(1);
        CountDownLatch shutDown = new CountDownLatch(1);
        boolean[] installed = {false};
        FutureTask<Void> write =
                writeInBackground(
                        temporary,
                        dir -> {
                            fillDeep(dir);
                            filling.countDown();
                            await(shutDown);
                        },
                        () -> installed[0] = true);
        filling.await();

        InFlightWrites.abortAll();
        assertThat(temporary).doesNotExist();
        shutDown.countDown();

        assertThatThrownBy(write::get)
                .hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("The JVM is shutting down");
        assertThat(installed[0]).isFalse();
        assertThat(names()).isEmpty();
    }

    /** A rename into place that has begun when the JVM shuts down is let finish. */
    @Test
    void shutdownDuringTheInstallWaitsForIt() throws Exception {
        Path temporary = Files.createDirectory(tmp.resolve(".t.partial"));
        Path target = tmp.resolve("t");
        CountDownLatch installing = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        FutureTask<Void> write =
                writeInBackground(
                        temporary,
                        AtomicFilesTest::fillDeep,
                        () -> {
                            installing.countDown();
                            await(proceed);
                            Files.move(temporary, target);
                        });
        installing.await();
        Thread hook = new Thread(InFlightWrites::abortAll);
        hook.start();
        hook.join(300);
        assertThat(hook.isAlive()).as("the hook waits for the rename").isTrue();

        proceed.countDown();
        hook.join();
        write.get();

        assertThat(target.resolve("a/b/c.txt")).hasContent("c");
        assertThat(names()).containsExactly("t");
    }

    /** Runs a write on a thread of its own, while the test thread plays the shutdown hook. */
    private static FutureTask<Void> writeInBackground(
            Path temporary, AtomicFiles.DirectoryWriter fill, AtomicFiles.IoAction install) {
        FutureTask<Void> write =
                new FutureTask<>(
                        () -> {
                            AtomicFiles.fillThenInstall(temporary, fill, install);
                            return null;
                        });
        new Thread(write, "write").start();
        return write;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void rethrow(Exception e) throws IOException {
        if (e instanceof IOException io) {
            throw io;
        }
        throw (RuntimeException) e;
    }

    private static void fillDeep(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/c.txt"), "c");
        Files.writeString(dir.resolve("top.txt"), "top");
    }

    private List<String> names() throws IOException {
        try (Stream<Path> children = Files.list(tmp)) {
            return children.map(p -> p.getFileName().toString()).toList();
        }
    }
}
