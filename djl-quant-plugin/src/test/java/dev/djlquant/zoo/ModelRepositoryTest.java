package dev.djlquant.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizedBlock;
import dev.djlquant.data.ImageNormalization;
import dev.djlquant.files.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing into the local repository and loading back through DJL's model zoo. */
class ModelRepositoryTest {

    @TempDir Path tmp;

    private Path root;
    private ModelRepository repository;
    private String previous;

    @BeforeEach
    void setUp() {
        root = tmp.resolve("repo");
        repository = ModelRepository.at(root);
        previous = System.setProperty(ModelRepository.ROOT_PROPERTY, root.toString());
    }

    @AfterEach
    void tearDown() {
        NativeCheckpointTest.restore(previous);
    }

    private Path tiny(String name, String spec) throws Exception {
        Path out = tmp.resolve(name);
        CheckpointCorruptionTest.writeTiny(out, QuantConfig.builder().setScheme(spec));
        return out;
    }

    private static ZooModel<NDList, NDList> load(String artifactId, String... filters)
            throws Exception {
        Criteria.Builder<NDList, NDList> b =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optGroupId(QuantizedModelZoo.GROUP_ID)
                        .optArtifactId(artifactId);
        for (int i = 0; i < filters.length; i += 2) {
            b.optFilter(filters[i], filters[i + 1]);
        }
        return b.build().loadModel();
    }

    private static String specOf(ZooModel<NDList, NDList> model) {
        return ((QuantizedBlock) model.getBlock())
                .getCompressed()
                .values()
                .iterator()
                .next()
                .quantizer()
                .spec();
    }

    @Test
    void rootComesFromThePropertyThenTheEnvironmentThenTheHomeDirectory() {
        assertThat(ModelRepository.defaultRoot()).isEqualTo(root);
        System.clearProperty(ModelRepository.ROOT_PROPERTY);
        String env = System.getenv(ModelRepository.ROOT_ENV);
        if (env != null) {
            assertThat(ModelRepository.defaultRoot()).isEqualTo(Path.of(env));
        } else {
            assertThat(ModelRepository.defaultRoot())
                    .isEqualTo(Path.of(System.getProperty("user.home"), ".djlq", "repository"));
        }
    }

    @Test
    void zooIsRegisteredAsAServiceProvider() {
        assertThat(ModelZoo.getModelZoo(QuantizedModelZoo.GROUP_ID))
                .isInstanceOf(QuantizedModelZoo.class);
    }

    @Test
    void publishingWritesDjlMetadataWithFilterablePropertiesAndNoTemporaryFiles() throws Exception {
        ModelRepository.Published p = repository.publish(tiny("a", "int4@row"), "tiny");
        Path metadata =
                root.resolve("model/cv/image_classification/dev/djlquant/tiny/metadata.json");
        JsonObject json = JsonParser.parseString(Files.readString(metadata)).getAsJsonObject();
        assertThat(json.get("groupId").getAsString()).isEqualTo("dev.djlquant");
        // The rest of DJL's metadata schema that its repositories read or show.
        assertThat(json.get("metadataVersion").getAsString()).isEqualTo("0.2");
        assertThat(json.get("resourceType").getAsString()).isEqualTo("model");
        assertThat(json.get("application").getAsString()).isEqualTo("cv/image_classification");
        assertThat(json.get("artifactId").getAsString()).isEqualTo("tiny");
        assertThat(json.get("name").getAsString()).isEqualTo("tiny");
        assertThat(json.get("description").getAsString()).contains("djl-quant");
        assertThat(json.has("lastUpdated")).isTrue();
        JsonObject artifact = json.getAsJsonArray("artifacts").get(0).getAsJsonObject();
        JsonObject properties = artifact.getAsJsonObject("properties");
        assertThat(properties.get("scheme").getAsString()).isEqualTo("int");
        assertThat(properties.get("bits").getAsString()).isEqualTo("4");
        assertThat(properties.get("granularity").getAsString()).isEqualTo("row");
        assertThat(artifact.get("name").getAsString()).isEqualTo(p.name()).startsWith("int4-row-");
        assertThat(p.directory()).isDirectory();
        CheckpointReader.verify(p.directory());
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.map(f -> f.getFileName().toString()))
                    .noneMatch(n -> n.contains(".tmp-") || n.contains(".old-"));
        }
        assertThat(repository.artifacts())
                .containsExactly(java.util.Map.entry("cv/image_classification", "tiny"));
    }

    /**
     * The zoo says which engine its checkpoints load with: DJL passes it over for criteria that ask
     * for another engine, and finds it for its own.
     */
    @Test
    void criteriaThatNameAnEngineFindTheZooOnlyForItsEngine() throws Exception {
        repository.publish(tiny("a", "int4@row"), "tiny");
        try (ZooModel<NDList, NDList> m = tinyWithEngine("PyTorch").loadModel()) {
            assertThat(specOf(m)).isEqualTo("int4@row");
        }
        assertThatThrownBy(tinyWithEngine("OnnxRuntime")::loadModel)
                .isInstanceOf(ModelNotFoundException.class);
    }

    private static Criteria<NDList, NDList> tinyWithEngine(String engine) {
        return Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optGroupId(QuantizedModelZoo.GROUP_ID)
                .optArtifactId("tiny")
                .optEngine(engine)
                .build();
    }

    /** The artifacts are listed by application, then artifact id, whatever the files' order. */
    @Test
    void artifactsAreListedInOrder() throws Exception {
        for (String id : new String[] {"zeta", "alpha", "mid"}) {
            repository.publish(tiny(id, "int4@row"), id);
        }
        assertThat(repository.artifacts())
                .containsExactly(
                        Map.entry("cv/image_classification", "alpha"),
                        Map.entry("cv/image_classification", "mid"),
                        Map.entry("cv/image_classification", "zeta"));
    }

    /** Application paths of up to three parts are published and listed; longer ones refused. */
    @Test
    void applicationPathsOfUpToThreePartsAreListed() throws Exception {
        Path three = tmp.resolve("three");
        CheckpointCorruptionTest.writeTiny(
                three,
                QuantConfig.builder().setScheme("int4@row"),
                CheckpointWriter.builder().optApplication("cv/image_classification/small"));
        repository.publish(three, "tiny");
        assertThat(repository.artifacts())
                .containsExactly(Map.entry("cv/image_classification/small", "tiny"));

        Path four = tmp.resolve("four");
        CheckpointCorruptionTest.writeTiny(
                four,
                QuantConfig.builder().setScheme("int4@row"),
                CheckpointWriter.builder().optApplication("a/b/c/d"));
        assertThatThrownBy(() -> repository.publish(four, "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'a/b/c/d'")
                .hasMessageContaining("at most 3 parts");
    }

    @Test
    void filtersChooseBetweenPublishedCheckpoints() throws Exception {
        repository.publish(tiny("a", "int4@row"), "tiny");
        repository.publish(tiny("b", "int8@row"), "tiny");
        repository.publish(tiny("c", "dt4@row"), "tiny");
        try (ZooModel<NDList, NDList> m = load("tiny", "bits", "8")) {
            assertThat(specOf(m)).isEqualTo("int8@row");
        }
        try (ZooModel<NDList, NDList> m = load("tiny", "scheme", "dt", "bits", "4")) {
            assertThat(specOf(m)).isEqualTo("dt4@row");
        }
        try (ZooModel<NDList, NDList> m = load("tiny", "scheme", "int", "bits", "4")) {
            assertThat(specOf(m)).isEqualTo("int4@row");
        }
        assertThatThrownBy(() -> load("tiny", "bits", "3"))
                .isInstanceOf(ModelNotFoundException.class);
        assertThatThrownBy(() -> load("no-such-model")).isInstanceOf(ModelNotFoundException.class);
    }

    @Test
    void republishingReplacesTheArtifactAndNeverServesAStaleCachedCopy() throws Exception {
        ModelRepository.Published first = repository.publish(tiny("a", "int4@row"), "tiny");
        try (ZooModel<NDList, NDList> m = load("tiny", "bits", "4")) {
            assertThat(specOf(m)).isEqualTo("int4@row");
        }
        // Same properties, other weights: a new name, the old copy is gone.
        Path other = tmp.resolve("other");
        dev.djlquant.QuantizationReport[] report = new dev.djlquant.QuantizationReport[1];
        CheckpointManifest written;
        try (var model = TinyNet.compressed("int4@row", 99, report)) {
            written =
                    CheckpointWriter.builder()
                            .build()
                            .writeNative(model, report[0], TinyNet.class.getName(), other);
        }
        ModelRepository.Published second = repository.publish(other, "tiny");
        assertThat(second.name()).isNotEqualTo(first.name());
        assertThat(second.replaced()).containsExactly(first.name());
        assertThat(first.directory()).doesNotExist();
        try (ZooModel<NDList, NDList> m = load("tiny", "bits", "4")) {
            String crc =
                    Digests.crc32(
                            ((QuantizedBlock) m.getBlock())
                                    .getCompressed()
                                    .get("04Linear_weight")
                                    .toBytes());
            assertThat(crc)
                    .isEqualTo(
                            written.tensors().stream()
                                    .filter(t -> t.name().equals("04Linear_weight"))
                                    .findFirst()
                                    .orElseThrow()
                                    .crc32());
        }
    }

    /**
     * Checkpoints whose properties are equal but whose weights have other specs or whose inputs
     * another normalization are different models: the second is refused, the first stays.
     */
    @Test
    void anotherConfigurationWithTheSamePropertiesIsRefusedAndReplacesNothing() throws Exception {
        ModelRepository.Published first = repository.publish(tiny("a", "int4@row"), "tiny");
        Path convOnly = tmp.resolve("conv-only");
        CheckpointCorruptionTest.writeTiny(
                convOnly, QuantConfig.builder().setScheme("int4@row").addExclude("Linear"));
        Path otherInputs = tmp.resolve("imagenet");
        CheckpointCorruptionTest.writeTiny(
                otherInputs,
                QuantConfig.builder().setScheme("int4@row"),
                CheckpointWriter.builder().optNormalization(ImageNormalization.IMAGENET));
        for (Path other : java.util.List.of(convOnly, otherInputs)) {
            assertThat(CheckpointManifest.read(other).properties()).isEqualTo(first.properties());
            assertThatThrownBy(() -> repository.publish(other, "tiny"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("dev.djlquant:tiny already holds " + first.name())
                    .hasMessageContaining("another configuration (int4@row on 2 weights;")
                    .hasMessageContaining("this checkpoint: " + describe(other) + ")")
                    .hasMessageContaining("under another artifact id");
        }
        assertThat(first.directory()).isDirectory();
        try (ZooModel<NDList, NDList> m = load("tiny", "spec", "int4@row")) {
            assertThat(((QuantizedBlock) m.getBlock()).getCompressed()).hasSize(2);
        }
        assertThat(repository.publish(convOnly, "tiny-conv").replaced()).isEmpty();
    }

    /** The configuration as the refusal names it: the manifest's, and its normalization. */
    private static String describe(Path checkpoint) throws Exception {
        CheckpointManifest m = CheckpointManifest.read(checkpoint);
        return m.config()
                + (m.normalization() == null ? "" : ", normalization " + m.normalization());
    }

    /** DJL would take the first of several matches; the zoo refuses and lists them. */
    @Test
    void filtersThatSelectSeveralCheckpointsAreRefusedWithTheCandidates() throws Exception {
        ModelRepository.Published int4 = repository.publish(tiny("a", "int4@row"), "tiny");
        ModelRepository.Published dt4 = repository.publish(tiny("b", "dt4@row"), "tiny");
        assertThat(int4.filters()).containsExactly(Map.entry("spec", "int4@row"));
        assertThatThrownBy(() -> load("tiny", "bits", "4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "The filters {bits=4} select 2 checkpoints of dev.djlquant:tiny")
                .hasMessageContaining("dev.djlquant:tiny/" + int4.name() + " {scheme=int")
                .hasMessageContaining("dev.djlquant:tiny/" + dt4.name() + " {scheme=dt")
                .hasMessageContaining("Add a filter that tells them apart");
        try (ZooModel<NDList, NDList> m = load("tiny", "spec", "dt4@row")) {
            assertThat(specOf(m)).isEqualTo("dt4@row");
        }

        // Without an artifact id, across artifacts.
        ModelRepository.Published again = repository.publish(tiny("c", "int4@row"), "tiny-copy");
        Criteria<NDList, NDList> groupOnly =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optGroupId(QuantizedModelZoo.GROUP_ID)
                        .optFilter("spec", "int4@row")
                        .build();
        assertThatThrownBy(groupOnly::loadModel)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("select 2 checkpoints of dev.djlquant, and")
                .hasMessageContaining("Name the artifact (optArtifactId)")
                .hasMessageContaining("dev.djlquant:tiny/" + int4.name())
                .hasMessageContaining("dev.djlquant:tiny-copy/" + again.name());
    }

    /** The hint names the properties that tell a checkpoint from the others of its artifact. */
    @Test
    void publishingNamesTheFewestFiltersThatSelectTheCheckpoint() throws Exception {
        repository.publish(tiny("a", "int4@row"), "tiny");
        Path simulate = tmp.resolve("simulate");
        CheckpointCorruptionTest.writeTiny(
                simulate,
                QuantConfig.builder().setScheme("int4@row"),
                CheckpointWriter.builder().optLoadMode(QuantConfig.Mode.SIMULATE));
        ModelRepository.Published p = repository.publish(simulate, "tiny");
        assertThat(p.filters())
                .containsExactly(Map.entry("spec", "int4@row"), Map.entry("mode", "simulate"));
        Criteria.Builder<NDList, NDList> b =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optGroupId(QuantizedModelZoo.GROUP_ID)
                        .optArtifactId("tiny");
        p.filters().forEach(b::optFilter);
        try (ZooModel<NDList, NDList> m = b.build().loadModel()) {
            assertThat(m.getBlock()).isNotInstanceOf(QuantizedBlock.class);
        }
    }

    @Test
    void noMatchNamesTheFiltersAndWhatTheArtifactHolds() throws Exception {
        ModelRepository.Published p = repository.publish(tiny("a", "int4@row"), "tiny");
        assertThatThrownBy(() -> load("tiny", "bits", "3"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasRootCauseMessage(
                        "dev.djlquant:tiny ("
                                + p.directory().getParent().getParent()
                                + ") has no checkpoint with the properties {bits=3}; it has"
                                + " dev.djlquant:tiny/"
                                + p.name()
                                + " "
                                + p.properties());
    }

    @Test
    void metadataPropertiesEditedAfterPublishingAreRefused() throws Exception {
        ModelRepository.Published p = repository.publish(tiny("a", "int8@row"), "tiny");
        Path metadata = p.directory().getParent().getParent().resolve("metadata.json");
        Files.writeString(
                metadata,
                Files.readString(metadata)
                        .replace("\"bits\": \"8\"", "\"bits\": \"3\"")
                        .replace("\"spec\": \"int8@row\"", "\"spec\": \"int3@row\""));
        assertThatThrownBy(() -> load("tiny", "bits", "3").close())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(metadata.toString())
                .hasMessageContaining(
                        "lists " + p.name() + " with the properties {scheme=int, bits=3")
                .hasMessageContaining("but its manifest.json says {scheme=int, bits=8");
    }

    @Test
    void aZooOverAFixedRootNeedsNoSystemProperty() throws Exception {
        repository.publish(tiny("a", "int8@row"), "tiny");
        System.clearProperty(ModelRepository.ROOT_PROPERTY);
        assumeTrue(System.getenv(ModelRepository.ROOT_ENV) == null);
        try (ZooModel<NDList, NDList> m =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelZoo(new QuantizedModelZoo(root))
                        .optGroupId(QuantizedModelZoo.GROUP_ID)
                        .optArtifactId("tiny")
                        .optFilter("bits", "8")
                        .build()
                        .loadModel()) {
            assertThat(specOf(m)).isEqualTo("int8@row");
        }
    }

    @Test
    void concurrentPublishesInOneJvmWaitForEachOther() throws Exception {
        // A FileLock only excludes other processes: a second one taken in this JVM throws
        // OverlappingFileLockException instead of waiting.
        Path a = tiny("a", "int4@row");
        Path b = tiny("b", "int8@row");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                CyclicBarrier start = new CyclicBarrier(2);
                Future<ModelRepository.Published> first =
                        pool.submit(() -> publishAfter(start, ModelRepository.at(root), a));
                Future<ModelRepository.Published> second =
                        pool.submit(() -> publishAfter(start, repository, b));
                assertThat(first.get().properties()).containsEntry("bits", "4");
                assertThat(second.get().properties()).containsEntry("bits", "8");
            }
        } finally {
            pool.shutdownNow();
        }
        try (ZooModel<NDList, NDList> m = load("tiny", "bits", "4")) {
            assertThat(specOf(m)).isEqualTo("int4@row");
        }
        try (ZooModel<NDList, NDList> m = load("tiny", "bits", "8")) {
            assertThat(specOf(m)).isEqualTo("int8@row");
        }
    }

    private static ModelRepository.Published publishAfter(
            CyclicBarrier start, ModelRepository into, Path checkpoint) throws Exception {
        start.await();
        return into.publish(checkpoint, "tiny");
    }

    @Test
    void republishingRepairsADamagedRepositoryCopy() throws Exception {
        Path a = tiny("a", "int4@row");
        ModelRepository.Published p = repository.publish(a, "tiny");
        Path params = p.directory().resolve(CheckpointWriter.PARAMETERS_FILE);
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length / 2] ^= 1;
        Files.write(params, bytes);
        // The damaged entry has the name of the intact checkpoint: publishing it again rewrites it.
        ModelRepository.Published again = repository.publish(a, "tiny");
        assertThat(again.directory()).isEqualTo(p.directory());
        CheckpointReader.verify(again.directory());
        try (ZooModel<NDList, NDList> m = load("tiny", "bits", "4")) {
            assertThat(specOf(m)).isEqualTo("int4@row");
        }
    }

    @Test
    void aDamagedRepositoryFileIsReportedByPathBeforeDjlCopiesIt() throws Exception {
        // A spec no other test publishes, so DJL's cache holds no copy of this checkpoint yet.
        ModelRepository.Published p = repository.publish(tiny("a", "int5@block4"), "tiny");
        Path params = p.directory().resolve(CheckpointWriter.PARAMETERS_FILE);
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length / 2] ^= 1;
        Files.write(params, bytes);
        assertThatThrownBy(() -> load("tiny", "bits", "5").close())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(params.toString())
                .hasMessageContaining("sha256 mismatch");
        Path metadata = p.directory().getParent().getParent().resolve("metadata.json");
        byte[] json = Files.readAllBytes(metadata);
        Files.write(metadata, java.util.Arrays.copyOf(json, json.length / 2));
        assertThatThrownBy(() -> load("tiny", "bits", "5").close())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(metadata.toString())
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void aManifestDigestThatMatchesNeitherCopyNamesBothPossibleCauses() throws Exception {
        ModelRepository.Published p = repository.publish(tiny("a", "int7@block4"), "tiny");
        Path metadata = p.directory().getParent().getParent().resolve("metadata.json");
        String sha = CheckpointManifest.read(p.directory()).manifestSha256();
        Files.writeString(metadata, Files.readString(metadata).replace(sha, "0".repeat(64)));
        assertThatThrownBy(() -> load("tiny", "bits", "7").close())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("metadata.json expects " + "0".repeat(64))
                .hasMessageContaining("delete this stale copy")
                .hasMessageContaining("the repository's metadata.json is damaged");
    }

    @Test
    void anEditedFileChecksumInTheMetadataNamesTheMetadata() throws Exception {
        // A spec no other test publishes, so DJL's cache holds no copy of this checkpoint yet.
        ModelRepository.Published p = repository.publish(tiny("a", "int2@block4"), "tiny");
        Path metadata = p.directory().getParent().getParent().resolve("metadata.json");
        String sha1 = Digests.sha1(p.directory().resolve(CheckpointWriter.PARAMETERS_FILE));
        Files.writeString(metadata, Files.readString(metadata).replace(sha1, "0".repeat(40)));
        assertThatThrownBy(() -> load("tiny", "bits", "2").close())
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(metadata.toString())
                .hasMessageContaining(
                        "records a checksum that the intact repository copy of " + p.name())
                .hasMessageContaining("publish the checkpoint again");
    }

    @Test
    void aDamagedCachedCopySaysToDeleteIt() throws Exception {
        repository.publish(tiny("a", "int6@block4"), "tiny");
        Path cached;
        try (ZooModel<NDList, NDList> m = load("tiny", "bits", "6")) {
            cached = m.getModelPath();
        }
        Path params = cached.resolve(CheckpointWriter.PARAMETERS_FILE);
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length / 2] ^= 1;
        Files.write(params, bytes);
        try {
            // DJL copies a published checkpoint once and never again: the message says what to do.
            assertThatThrownBy(() -> load("tiny", "bits", "6").close())
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(params.toString())
                    .hasMessageContaining("delete " + cached);
        } finally {
            dev.djlquant.files.AtomicFiles.deleteRecursively(cached);
        }
    }

    @Test
    void refusesBadArtifactIdsAndDamagedCheckpoints() throws Exception {
        Path a = tiny("a", "int4@row");
        assertThatThrownBy(() -> repository.publish(a, "../escape"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Artifact id");
        Path params = a.resolve(CheckpointWriter.PARAMETERS_FILE);
        byte[] bytes = Files.readAllBytes(params);
        bytes[40] ^= 1;
        Files.write(params, bytes);
        assertThatThrownBy(() -> repository.publish(a, "tiny"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining(params.toString());
        assertThat(root.resolve("model/cv/image_classification/dev/djlquant/tiny/metadata.json"))
                .doesNotExist();
    }
}
