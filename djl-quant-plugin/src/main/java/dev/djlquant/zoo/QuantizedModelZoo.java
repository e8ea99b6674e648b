package dev.djlquant.zoo;

import ai.djl.Application;
import ai.djl.MalformedModelException;
import ai.djl.repository.Artifact;
import ai.djl.repository.MRL;
import ai.djl.repository.Repository;
import ai.djl.repository.zoo.BaseModelLoader;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DJL model zoo of group id {@value #GROUP_ID}, serving the checkpoints published in a {@link
 * ModelRepository}. Registered through {@link QuantizedZooProvider}, it reads the repository at
 * {@link ModelRepository#defaultRoot()} on every lookup, so newly published checkpoints and a
 * changed root are seen at once; {@code Criteria.optModelZoo(new QuantizedModelZoo(root))} pins
 * another root.
 */
public final class QuantizedModelZoo extends ModelZoo {

    /** The group id of every published checkpoint. */
    public static final String GROUP_ID = "dev.djlquant";

    private final Path root;

    /** Creates the zoo that follows {@link ModelRepository#defaultRoot()}. */
    public QuantizedModelZoo() {
        this(null);
    }

    /**
     * Creates a zoo over a fixed repository root.
     *
     * @param root the repository root, or null to follow {@link ModelRepository#defaultRoot()}
     */
    public QuantizedModelZoo(Path root) {
        this.root = root;
    }

    private ModelRepository repository() {
        return root == null ? ModelRepository.fromEnvironment() : ModelRepository.at(root);
    }

    /** {@inheritDoc} */
    @Override
    public String getGroupId() {
        return GROUP_ID;
    }

    /** {@inheritDoc} */
    @Override
    public Set<String> getSupportedEngines() {
        return Set.of(TorchScriptImport.ENGINE);
    }

    /** {@inheritDoc} */
    @Override
    public Collection<ModelLoader> getModelLoaders() {
        ModelRepository repository = repository();
        Repository djl = repository.asDjlRepository();
        List<CheckedLoader> loaders = new ArrayList<>();
        for (Map.Entry<String, String> a : repository.artifacts()) {
            loaders.add(
                    new CheckedLoader(
                            djl.model(Application.of(a.getKey()), GROUP_ID, a.getValue()),
                            repository.artifactDirectory(a.getKey(), a.getValue()),
                            loaders));
        }
        return List.copyOf(loaders);
    }

    /** {@inheritDoc} */
    @Override
    public ModelLoader getModelLoader(String name) {
        return getModelLoaders().stream()
                .filter(l -> l.getArtifactId().equals(name))
                .findFirst()
                .orElse(null);
    }

    /**
     * Loads one artifact, and only when the criteria select exactly one checkpoint: DJL takes the
     * first match of several without a word (the last published of an artifact, or the first
     * artifact in order when no artifact id is given). Refuses a checkpoint whose {@code
     * metadata.json} properties are not those of its manifest in the repository (read on every
     * load, so a repository copy that lost its manifest is refused even when DJL has cached it),
     * and says which file of the repository is damaged when DJL's load fails: DJL reports a damaged
     * {@code metadata.json} as a bare {@code JsonSyntaxException}, and a damaged file of a
     * checkpoint it has not cached yet as "Checksum error: model-0000.params", naming neither path.
     * Only a failed load verifies the repository copy; a cached copy is left to {@link
     * CheckpointBlockFactory}, which verifies it on every load.
     */
    private static final class CheckedLoader extends BaseModelLoader {
        private final Path artifactDir;

        /** Every loader of the repository, this one included, for criteria without artifact id. */
        private final List<CheckedLoader> all;

        CheckedLoader(MRL mrl, Path artifactDir, List<CheckedLoader> all) {
            super(mrl);
            this.artifactDir = artifactDir;
            this.all = all;
        }

        /** {@inheritDoc} */
        @Override
        public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria)
                throws IOException, ModelNotFoundException, MalformedModelException {
            try {
                Artifact chosen = onlyMatch(criteria);
                checkProperties(chosen);
                return super.loadModel(criteria);
            } catch (JsonParseException e) {
                throw new CheckpointException(
                        artifactDir.resolve("metadata.json"),
                        "is not valid JSON (" + e.getMessage() + ")",
                        e);
            } catch (CheckpointException e) {
                throw e; // names its file already
            } catch (IOException e) {
                verifyRepositoryCopy(criteria, e);
                throw e;
            }
        }

        /** This artifact's checkpoints that have every property the filters name. */
        private List<Artifact> matching(Map<String, String> filters) throws IOException {
            List<Artifact> found = new ArrayList<>();
            for (Artifact a : mrl.listArtifacts()) {
                if (a.hasProperties(filters)) {
                    found.add(a);
                }
            }
            return found;
        }

        /**
         * The one checkpoint of this artifact that the criteria select; refuses criteria that
         * select several, in this artifact or, without an artifact id, in the repository.
         */
        private Artifact onlyMatch(Criteria<?, ?> criteria)
                throws IOException, ModelNotFoundException {
            Map<String, String> filters =
                    criteria.getFilters() == null ? Map.of() : criteria.getFilters();
            List<Artifact> mine = matching(filters);
            List<String> chosen = new ArrayList<>();
            for (CheckedLoader loader : criteria.getArtifactId() == null ? all : List.of(this)) {
                if (loader == this || loader.serves(criteria.getApplication())) {
                    for (Artifact a : loader == this ? mine : loader.matching(filters)) {
                        chosen.add(loader.describe(a));
                    }
                }
            }
            if (chosen.size() > 1) {
                throw new IllegalArgumentException(
                        "The filters "
                                + filters
                                + " select "
                                + chosen.size()
                                + " checkpoints of "
                                + GROUP_ID
                                + (criteria.getArtifactId() == null
                                        ? ""
                                        : ":" + criteria.getArtifactId())
                                + ", and DJL would load the first without a word: "
                                + String.join("; ", chosen)
                                + (criteria.getArtifactId() == null
                                        ? ". Name the artifact (optArtifactId) or add"
                                        : ". Add")
                                + " a filter that tells them apart.");
            }
            if (mine.isEmpty()) {
                List<String> present = new ArrayList<>();
                for (Artifact a : mrl.listArtifacts()) {
                    present.add(describe(a));
                }
                throw new ModelNotFoundException(
                        GROUP_ID
                                + ":"
                                + getArtifactId()
                                + " ("
                                + artifactDir
                                + ") has no checkpoint with the properties "
                                + filters
                                + "; it has "
                                + (present.isEmpty() ? "none" : String.join("; ", present)));
            }
            return mine.get(0);
        }

        private boolean serves(Application application) {
            Application mine = getApplication();
            return application == null
                    || application == Application.UNDEFINED
                    || mine == Application.UNDEFINED
                    || mine.matches(application);
        }

        /** {@code group:artifact/name {properties}}. */
        private String describe(Artifact a) {
            return GROUP_ID + ":" + getArtifactId() + "/" + a.getName() + " " + a.getProperties();
        }

        /**
         * Refuses an artifact whose properties in {@code metadata.json} are not those of the
         * manifest of its repository copy: filters would select it for what it is not.
         */
        private void checkProperties(Artifact artifact) throws CheckpointException {
            Path copy = artifactDir.resolve(artifact.getVersion()).resolve(artifact.getName());
            Map<String, String> actual = CheckpointManifest.read(copy).properties();
            if (!actual.equals(artifact.getProperties())) {
                throw new CheckpointException(
                        artifactDir.resolve("metadata.json"),
                        "lists "
                                + artifact.getName()
                                + " with the properties "
                                + artifact.getProperties()
                                + ", but its manifest.json says "
                                + actual
                                + ": edited after publishing; publish the checkpoint again");
            }
        }

        /**
         * Verifies the repository copy of the artifact these filters pick: if it is damaged, throws
         * that, naming the file, with DJL's {@code failure} attached.
         */
        private void verifyRepositoryCopy(Criteria<?, ?> criteria, IOException failure)
                throws IOException {
            Artifact artifact = mrl.match(criteria.getFilters());
            if (artifact == null) {
                return;
            }
            try {
                CheckpointReader.verify(
                        artifactDir.resolve(artifact.getVersion()).resolve(artifact.getName()));
            } catch (CheckpointException damaged) {
                damaged.addSuppressed(failure);
                throw damaged;
            }
            String message = failure.getMessage();
            if (message != null && message.startsWith("Checksum error")) {
                // DJL checks the copy against the SHA-1s of metadata.json, and the copy is intact.
                throw new CheckpointException(
                        artifactDir.resolve("metadata.json"),
                        "records a checksum that the intact repository copy of "
                                + artifact.getName()
                                + " does not have (DJL: "
                                + message
                                + "): edited after publishing; publish the checkpoint again",
                        failure);
            }
        }
    }

    @Override
    public String toString() {
        return "QuantizedModelZoo(" + repository().root() + ")";
    }
}
