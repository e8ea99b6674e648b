package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Model;
import dev.djlquant.QuantizationReport;
import dev.djlquant.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link CheckpointWriter} may write over: nothing but a djlq checkpoint, and with {@code
 * optReplaceExisting} only; everything else at the target path is refused with the path and the
 * reason, and left as it was.
 */
class CheckpointTargetTest {

    @TempDir Path tmp;

    private static void write(Path out, boolean replace) throws IOException {
        QuantizationReport[] report = new QuantizationReport[1];
        try (Model model = TinyNet.compressed("int8@row", 3, report)) {
            CheckpointWriter.builder()
                    .optReplaceExisting(replace)
                    .build()
                    .writeNative(model, report[0], TinyNet.class.getName(), out);
        }
    }

    @Test
    void replaceRefusesADirectoryOfOtherFiles() throws Exception {
        Path user = tmp.resolve("userdir");
        Files.createDirectories(user.resolve("sub"));
        Files.writeString(user.resolve("notes.txt"), "precious");
        Files.writeString(user.resolve("sub/x.txt"), "x");
        assertThatThrownBy(() -> write(user, true))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining(user.toString())
                .hasMessageContaining("is not a djlq checkpoint (it has no manifest.json)");
        assertThat(user.resolve("notes.txt")).hasContent("precious");
        assertThat(user.resolve("sub/x.txt")).hasContent("x");
    }

    @Test
    void replaceRefusesAFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("afile.txt"), "keep");
        assertThatThrownBy(() -> write(file, true))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining(file + ": exists and is not a directory");
        assertThat(file).hasContent("keep");
    }

    @Test
    void replaceRefusesAManifestOfAnotherFormat() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": \"npm\"}");
        assertThatThrownBy(() -> write(dir, true))
                .hasMessageContaining("its manifest.json is not a djlq-checkpoint manifest");
        assertThat(dir.resolve("manifest.json")).hasContent("{\"format\": \"npm\"}");
    }

    @Test
    void replaceRefusesACheckpointWithTheUsersFilesInside() throws Exception {
        Path ck = tmp.resolve("ck");
        write(ck, false);
        Files.writeString(ck.resolve("notes.txt"), "mine");
        Files.createDirectory(ck.resolve("plots"));
        assertThatThrownBy(() -> write(ck, true))
                .hasMessageContaining(ck + ": holds a djlq checkpoint and other entries")
                .hasMessageContaining("[notes.txt, plots]");
        assertThat(ck.resolve("notes.txt")).hasContent("mine");
        CheckpointReader.verify(ck);
    }

    @Test
    void replaceReplacesADamagedCheckpointAndWritesIntoAnEmptyDirectory() throws Exception {
        Path ck = tmp.resolve("ck");
        write(ck, false);
        Path manifest = ck.resolve(CheckpointManifest.FILE_NAME);
        Files.writeString(manifest, Files.readString(manifest).replace("int8@row", "int4@row"));
        assertThatThrownBy(() -> CheckpointReader.verify(ck)).hasMessageContaining("checksum");
        write(ck, true);
        CheckpointReader.verify(ck);
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        write(empty, false);
        CheckpointReader.verify(empty);
    }

    @Test
    void withoutReplaceAnExistingCheckpointIsRefusedAndNamed() throws Exception {
        Path ck = tmp.resolve("ck");
        write(ck, false);
        assertThatThrownBy(() -> write(ck, false))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining(ck + ": already holds a djlq checkpoint");
    }

    @Test
    void theWorkingDirectoryItsParentsAndTheEmptyPathAreRefused() throws Exception {
        // Only checked, never written: a regression here must not delete the build directory.
        CheckpointWriter writer = CheckpointWriter.builder().optReplaceExisting(true).build();
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p : new Path[] {Path.of("."), cwd, cwd.getParent(), Path.of("..")}) {
            assertThatThrownBy(() -> writer.checkTarget(p))
                    .as(p.toString())
                    .isInstanceOf(FileSystemException.class)
                    .hasMessageContaining("is the working directory or one of its parents");
        }
        assertThatThrownBy(() -> writer.checkTarget(Path.of("")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void aTargetUnderAFileIsRefusedBeforeWriting() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Path out = file.resolve("sub/ck");
        assertThatThrownBy(() -> CheckpointWriter.builder().build().checkTarget(out))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining(out + ": cannot be created: " + file + " is not a directory");
    }

    /**
     * A name longer than a file name may be is refused before anything is written, with its length;
     * one of 255 bytes, the limit, is written, though its temporary sibling's name repeats it.
     */
    @Test
    void aNameTooLongIsRefusedBeforeWritingAndTheLongestIsWritten() throws Exception {
        Path tooLong = tmp.resolve("new/" + "é".repeat(128) + "/ck");
        assertThatThrownBy(() -> CheckpointWriter.builder().build().checkTarget(tooLong))
                .isInstanceOf(FileSystemException.class)
                .hasMessageContaining(
                        tooLong
                                + ": cannot be created: its name '"
                                + "é".repeat(128)
                                + "' has 256 bytes, more than the 255 a file name may have");
        assertThat(tmp).isEmptyDirectory();

        Path longest = tmp.resolve("y".repeat(255));
        write(longest, false);
        write(longest, true);
        assertThat(CheckpointReader.verify(longest).spec()).isEqualTo("int8@row");
    }

    @Test
    void aFullDiskErrorNamesTheFile() {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full");
        assertThatThrownBy(
                        () -> AtomicFiles.writing(full, () -> Files.write(full, new byte[1 << 16])))
                .hasMessageStartingWith("cannot write /dev/full: ")
                .hasMessageContaining("No space left on device");
    }

    @Test
    void temporaryDirectoriesOfEndedWritersAreRemovedOnTheNextWrite() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        long dead = done.pid();
        long alive = ProcessHandle.current().pid();
        Path killed = tmp.resolve(".ck.tmp-" + dead + "-" + UUID.randomUUID());
        Path oldAside = tmp.resolve(".ck.old-" + dead + "-" + UUID.randomUUID());
        Path running = tmp.resolve(".ck.tmp-" + alive + "-" + UUID.randomUUID());
        Path otherTarget = tmp.resolve(".other.tmp-" + dead + "-" + UUID.randomUUID());
        Path notOurs = tmp.resolve(".ck.tmp-notes");
        for (Path p : new Path[] {killed, oldAside, running, otherTarget, notOurs}) {
            Files.createDirectories(p);
            Files.writeString(p.resolve("model-0000.params"), "partial");
        }
        write(tmp.resolve("ck"), false);
        assertThat(killed).doesNotExist();
        assertThat(oldAside).doesNotExist();
        assertThat(running).isDirectory();
        assertThat(otherTarget).isDirectory();
        assertThat(notOurs).isDirectory();
    }

    @Test
    void checkpointsStillLoadAfterAReplace() throws Exception {
        Path ck = tmp.resolve("ck");
        write(ck, false);
        write(ck, true);
        assertThat(CheckpointReader.verify(ck).spec()).isEqualTo("int8@row");
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("ck");
        }
    }
}
