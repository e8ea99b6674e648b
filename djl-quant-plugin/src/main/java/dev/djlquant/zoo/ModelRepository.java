package dev.djlquant.zoo;

import ai.djl.Application;
import ai.djl.repository.Artifact;
import ai.djl.repository.LocalRepository;
import ai.djl.repository.Metadata;
import ai.djl.repository.Repository;
import ai.djl.util.JsonUtils;
import com.google.gson.JsonParseException;
import dev.djlquant.files.AtomicFiles;
import dev.djlquant.files.Digests;
import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local model repository that {@link QuantizedModelZoo} serves under group id {@value
 * QuantizedModelZoo#GROUP_ID}: {@code <root>/model/<application>/dev/djlquant/<artifactId>/}
 * holding DJL's {@code metadata.json} and one subdirectory per published checkpoint. The root is
 * the system property {@value #ROOT_PROPERTY}, else the environment variable {@value #ROOT_ENV},
 * else {@code ~/.djlq/repository}. Publishing verifies the checkpoint, copies it atomically and
 * rewrites {@code metadata.json} atomically under a file lock.
 */
public final class ModelRepository {

    /** The system property naming the repository root. */
    public static final String ROOT_PROPERTY = "djlq.repository";

    /** The environment variable naming the repository root when the property is not set. */
    public static final String ROOT_ENV = "DJLQ_REPOSITORY";

    /** The version of every published artifact: the checkpoint format version. */
    public static final String VERSION = Integer.toString(CheckpointManifest.FORMAT_VERSION);

    private static final Pattern ARTIFACT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /**
     * Most parts of an application path (DJL's own have one or two, {@code
     * cv/image_classification}).
     */
    private static final int APPLICATION_PARTS = 3;

    private static final Pattern APPLICATION =
            Pattern.compile("[a-z0-9_]+(/[a-z0-9_]+){0," + (APPLICATION_PARTS - 1) + "}");
    private static final String METADATA = "metadata.json";

    /** The lock of each artifact directory, by real path, that this JVM has published to. */
    private static final Map<Path, ReentrantLock> PUBLISHING = new ConcurrentHashMap<>();

    private final Path root;

    private ModelRepository(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /**
     * Opens the repository at {@code root} (nothing is created until a checkpoint is published).
     *
     * @param root the repository root
     * @return the repository
     */
    public static ModelRepository at(Path root) {
        return new ModelRepository(root);
    }

    /**
     * Opens the repository at {@link #defaultRoot()}.
     *
     * @return the repository
     */
    public static ModelRepository fromEnvironment() {
        return new ModelRepository(defaultRoot());
    }

    /**
     * Resolves the root: system property {@value #ROOT_PROPERTY}, else environment variable {@value
     * #ROOT_ENV}, else {@code .djlq/repository} in the user's home.
     *
     * @return the root directory
     */
    public static Path defaultRoot() {
        String property = System.getProperty(ROOT_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv(ROOT_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".djlq", "repository");
    }

    /**
     * Returns the root directory.
     *
     * @return the absolute root
     */
    public Path root() {
        return root;
    }

    /**
     * A published checkpoint.
     *
     * @param artifactId the artifact id
     * @param version the artifact version
     * @param name the artifact name (spec and a prefix of the manifest's SHA-256)
     * @param properties what {@code Criteria.optFilter} matches
     * @param filters the fewest properties, {@code spec} first, that select this checkpoint alone
     *     among those now published under {@code artifactId}
     * @param replaced the names of the artifacts it replaced: earlier checkpoints of the same
     *     configuration, whose files are deleted
     * @param directory where the checkpoint's files are
     */
    public record Published(
            String artifactId,
            String version,
            String name,
            Map<String, String> properties,
            Map<String, String> filters,
            List<String> replaced,
            Path directory) {}

    /**
     * Publishes a checkpoint under {@code artifactId}: verifies it, copies its files to {@code
     * <artifact dir>/<version>/<name>/} and adds it to {@code metadata.json} with the manifest's
     * {@link CheckpointManifest#properties() properties}. An artifact with identical properties is
     * replaced if it holds the same configuration (every weight's spec, and the normalization), and
     * refused otherwise: filters could not tell the two apart. The name contains a prefix of the
     * manifest's SHA-256, so a republished checkpoint never collides with DJL's cached copy of an
     * older one. The copy is verified before it is renamed into place; a damaged copy of the same
     * checkpoint already there is rewritten.
     *
     * @param checkpoint the checkpoint directory
     * @param artifactId e.g. {@code alexnet-cifar10}
     * @return what was published
     * @throws IOException if the checkpoint is damaged or writing fails
     * @throws IllegalArgumentException if the artifact id is malformed, or the artifact holds a
     *     checkpoint of the same properties but another configuration
     */
    public Published publish(Path checkpoint, String artifactId) throws IOException {
        if (artifactId == null || !ARTIFACT_ID.matcher(artifactId).matches()) {
            throw new IllegalArgumentException(
                    "Artifact id '"
                            + artifactId
                            + "' must be letters, digits, '.', '_' or '-', starting with a letter"
                            + " or digit");
        }
        CheckpointManifest manifest = CheckpointReader.verify(checkpoint);
        String application =
                manifest.application() == null
                        ? CheckpointWriter.IMAGE_CLASSIFICATION
                        : manifest.application();
        if (!APPLICATION.matcher(application).matches()) {
            throw new CheckpointException(
                    checkpoint.resolve(CheckpointManifest.FILE_NAME),
                    "names an invalid application path '"
                            + application
                            + "' (lower-case letters, digits and '_', at most "
                            + APPLICATION_PARTS
                            + " parts separated by '/')");
        }
        Path artifactDir = artifactDirectory(application, artifactId);
        Files.createDirectories(artifactDir);
        String name =
                manifest.spec().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                        + (manifest.kind() == CheckpointManifest.Kind.TORCHSCRIPT ? "-ts-" : "-")
                        + manifest.manifestSha256().substring(0, 12);
        Path target = artifactDir.resolve(VERSION).resolve(name);
        Map<String, String> properties = manifest.properties();
        List<String> replaced = new ArrayList<>();
        List<Artifact> listed = new ArrayList<>();
        withArtifactLock(
                artifactDir,
                () -> {
                    Metadata metadata = readMetadata(artifactDir, application, artifactId);
                    List<Artifact> same =
                            sameProperties(metadata, properties, name, artifactDir, manifest);
                    if (!isIntact(target)) {
                        copy(checkpoint, manifest, target);
                    }
                    register(artifactDir, metadata, artifact(manifest, name, target), same);
                    same.forEach(a -> replaced.add(a.getName()));
                    listed.addAll(metadata.getArtifacts());
                });
        return new Published(
                artifactId,
                VERSION,
                name,
                properties,
                selecting(properties, listed, name),
                List.copyOf(replaced),
                target);
    }

    /**
     * The artifacts other than {@code name} with exactly {@code properties}, which publishing
     * replaces; refuses one that holds another configuration than {@code manifest}.
     */
    private static List<Artifact> sameProperties(
            Metadata metadata,
            Map<String, String> properties,
            String name,
            Path artifactDir,
            CheckpointManifest manifest) {
        List<Artifact> same = new ArrayList<>();
        for (Artifact a : metadata.getArtifacts()) {
            if (name.equals(a.getName()) || !properties.equals(a.getProperties())) {
                continue;
            }
            CheckpointManifest old;
            try {
                old =
                        CheckpointManifest.read(
                                artifactDir.resolve(a.getVersion()).resolve(a.getName()));
            } catch (CheckpointException damaged) {
                same.add(a); // nothing to lose: it could not be loaded
                continue;
            }
            if (!configuration(old).equals(configuration(manifest))) {
                throw new IllegalArgumentException(
                        QuantizedModelZoo.GROUP_ID
                                + ":"
                                + metadata.getArtifactId()
                                + " already holds "
                                + a.getName()
                                + " with the same properties "
                                + properties
                                + " but another configuration ("
                                + describe(old)
                                + "; this checkpoint: "
                                + describe(manifest)
                                + "): filters could not tell the two apart, so publish this one"
                                + " under another artifact id");
            }
            same.add(a);
        }
        return same;
    }

    /** What a checkpoint is beyond its properties: every weight's spec, and the normalization. */
    private static List<String> configuration(CheckpointManifest m) {
        List<String> c = new ArrayList<>();
        m.tensors().forEach(t -> c.add(t.name() + "=" + t.spec()));
        c.add("normalization=" + m.normalization());
        return c;
    }

    private static String describe(CheckpointManifest m) {
        return m.config()
                + (m.normalization() == null ? "" : ", normalization " + m.normalization());
    }

    /**
     * The fewest of {@code properties}, {@code spec} first and then in their order, that no other
     * artifact of {@code listed} has all of.
     */
    private static Map<String, String> selecting(
            Map<String, String> properties, List<Artifact> listed, String name) {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("spec", properties.get("spec"));
        List<Artifact> rivals = new ArrayList<>();
        for (Artifact a : listed) {
            if (!name.equals(a.getName()) && a.hasProperties(filters)) {
                rivals.add(a);
            }
        }
        for (Map.Entry<String, String> p : properties.entrySet()) {
            if (rivals.isEmpty()) {
                break;
            }
            if (rivals.removeIf(a -> !p.getValue().equals(a.getProperties().get(p.getKey())))) {
                filters.put(p.getKey(), p.getValue());
            }
        }
        return filters;
    }

    /**
     * Whether the repository already holds an intact copy at {@code target}. A damaged one (its
     * name is the manifest's checksum, so it was once this very checkpoint) is rewritten rather
     * than refused: publishing again is how a user repairs it.
     */
    private static boolean isIntact(Path target) {
        try {
            CheckpointReader.verify(target);
            return true;
        } catch (CheckpointException e) {
            return false;
        }
    }

    /**
     * Copies the manifest and the files it lists to {@code target}, replacing what is there (a
     * damaged copy), and verifies the copy before it is renamed into place, so that a checkpoint
     * changed while it is copied is never installed.
     */
    private static void copy(Path checkpoint, CheckpointManifest manifest, Path target)
            throws IOException {
        AtomicFiles.writeDirectory(
                target,
                existing -> {},
                dir -> {
                    Files.copy(
                            checkpoint.resolve(CheckpointManifest.FILE_NAME),
                            dir.resolve(CheckpointManifest.FILE_NAME));
                    for (CheckpointManifest.FileEntry f : manifest.files()) {
                        Files.copy(checkpoint.resolve(f.name()), dir.resolve(f.name()));
                    }
                    verifyCopy(checkpoint, dir);
                });
    }

    /** Verifies the copy in {@code dir}, naming the file of {@code checkpoint} that changed. */
    private static void verifyCopy(Path checkpoint, Path dir) throws CheckpointException {
        try {
            CheckpointReader.verify(dir);
        } catch (CheckpointException e) {
            Path source =
                    e.file().startsWith(dir)
                            ? checkpoint.resolve(dir.relativize(e.file()))
                            : e.file();
            throw new CheckpointException(
                    source,
                    "changed while it was being published (its copy: " + e.getMessage() + ")",
                    e);
        }
    }

    /**
     * Lists {@code added} first in the artifact's {@code metadata.json} (DJL picks the first
     * match), in place of an earlier listing of it and of {@code replaced}, whose directories are
     * then deleted.
     */
    private static void register(
            Path artifactDir, Metadata metadata, Artifact added, List<Artifact> replaced)
            throws IOException {
        List<Artifact> artifacts = new ArrayList<>();
        artifacts.add(added);
        for (Artifact a : metadata.getArtifacts()) {
            if (!a.getName().equals(added.getName()) && !replaced.contains(a)) {
                artifacts.add(a);
            }
        }
        metadata.setArtifacts(artifacts);
        metadata.setLastUpdated(new Date());
        AtomicFiles.writeFile(
                artifactDir.resolve(METADATA),
                JsonUtils.GSON_PRETTY.toJson(metadata).getBytes(StandardCharsets.UTF_8));
        for (Artifact a : replaced) {
            Path old = artifactDir.resolve(a.getVersion()).resolve(a.getName());
            if (old.normalize().startsWith(artifactDir)) {
                AtomicFiles.deleteRecursively(old);
            }
        }
    }

    /**
     * Runs {@code action} holding the lock of {@code artifactDir} (which must exist): a {@link
     * FileLock} on its {@code .lock} file against other processes, taken under a lock of this JVM
     * against its other threads, since a second {@code FileLock} on one file in one JVM throws
     * {@link java.nio.channels.OverlappingFileLockException} instead of waiting. The channel is
     * opened inside the JVM's lock too: on Linux, closing any channel of a file releases every lock
     * this process holds on it.
     */
    private static void withArtifactLock(Path artifactDir, AtomicFiles.IoAction action)
            throws IOException {
        ReentrantLock inJvm =
                PUBLISHING.computeIfAbsent(artifactDir.toRealPath(), d -> new ReentrantLock());
        inJvm.lock();
        try (FileChannel lockFile =
                        FileChannel.open(
                                artifactDir.resolve(".lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                FileLock lock = lockFile.lock()) {
            action.run();
        } finally {
            inJvm.unlock();
        }
    }

    /**
     * Lists the published artifacts as application path and artifact id.
     *
     * @return pairs of (application path, artifact id), sorted
     */
    public List<Map.Entry<String, String>> artifacts() {
        Path models = root.resolve("model");
        List<Map.Entry<String, String>> found = new ArrayList<>();
        if (!Files.isDirectory(models)) {
            return found;
        }
        String group = QuantizedModelZoo.GROUP_ID.replace('.', '/');
        // model/<application>/dev/djlquant/<artifact>/metadata.json
        int depth = APPLICATION_PARTS + group.split("/").length + 2;
        try (Stream<Path> walk = Files.walk(models, depth)) {
            walk.filter(p -> p.getFileName().toString().equals(METADATA))
                    .filter(Files::isRegularFile)
                    .forEach(
                            p -> {
                                Path artifactDir = p.getParent();
                                String relative =
                                        models.relativize(artifactDir.getParent())
                                                .toString()
                                                .replace('\\', '/');
                                if (relative.endsWith("/" + group)) {
                                    String app =
                                            relative.substring(
                                                    0, relative.length() - group.length() - 1);
                                    found.add(Map.entry(app, artifactDir.getFileName().toString()));
                                }
                            });
        } catch (IOException e) {
            return found;
        }
        found.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry::getValue));
        return found;
    }

    /**
     * Returns this repository as a DJL {@link Repository}.
     *
     * @return a local repository rooted at {@link #root()}
     */
    public Repository asDjlRepository() {
        return new Local(root);
    }

    Path artifactDirectory(String application, String artifactId) {
        return root.resolve("model")
                .resolve(application)
                .resolve(QuantizedModelZoo.GROUP_ID.replace('.', '/'))
                .resolve(artifactId);
    }

    private static Metadata readMetadata(Path artifactDir, String application, String artifactId)
            throws IOException {
        Path file = artifactDir.resolve(METADATA);
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                Metadata m = JsonUtils.GSON.fromJson(reader, Metadata.class);
                if (m != null && m.getArtifacts() != null) {
                    return m;
                }
            } catch (JsonParseException e) {
                throw new CheckpointException(file, "is not valid JSON: " + e.getMessage(), e);
            }
            throw new CheckpointException(file, "is not a DJL metadata file");
        }
        Metadata m = new Metadata();
        m.setMetadataVersion("0.2");
        m.setResourceType("model");
        m.setApplication(Application.of(application));
        m.setGroupId(QuantizedModelZoo.GROUP_ID);
        m.setArtifactId(artifactId);
        m.setName(artifactId);
        m.setDescription("Quantized checkpoints written by djl-quant");
        m.setArtifacts(new ArrayList<>());
        return m;
    }

    private static Artifact artifact(CheckpointManifest manifest, String name, Path dir)
            throws IOException {
        Artifact a = new Artifact();
        a.setVersion(VERSION);
        a.setName(name);
        a.setProperties(manifest.properties());
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("engine", TorchScriptImport.ENGINE);
        arguments.put("blockFactory", CheckpointBlockFactory.class.getName());
        arguments.putAll(
                CifarTranslatorFactory.checkpointArguments(
                        manifest.dataset(), manifest.normalization()));
        arguments.put(CheckpointBlockFactory.MANIFEST_SHA256, manifest.manifestSha256());
        a.setArguments(arguments);
        Map<String, String> options = new LinkedHashMap<>();
        options.put("modelName", CheckpointWriter.MODEL_NAME);
        if (manifest.loadsItself()) {
            options.put("hasParameter", "false");
        }
        a.setOptions(options);
        Map<String, Artifact.Item> files = new LinkedHashMap<>();
        files.put("manifest", item(dir, CheckpointManifest.FILE_NAME));
        for (CheckpointManifest.FileEntry f : manifest.files()) {
            files.put(f.role(), item(dir, f.name()));
        }
        a.setFiles(files);
        return a;
    }

    private static Artifact.Item item(Path dir, String fileName) throws IOException {
        Artifact.Item item = new Artifact.Item();
        item.setUri(VERSION + "/" + dir.getFileName() + "/" + fileName);
        item.setName(fileName);
        item.setType("file");
        item.setSize(Files.size(dir.resolve(fileName)));
        item.setSha1Hash(Digests.sha1(dir.resolve(fileName)));
        return item;
    }

    /** DJL's local repository, built directly so an empty root is not mistaken for a file. */
    private static final class Local extends LocalRepository {
        Local(Path root) {
            super("djlq", root.toUri(), root);
        }
    }

    @Override
    public String toString() {
        return "djlq model repository at " + root;
    }
}
