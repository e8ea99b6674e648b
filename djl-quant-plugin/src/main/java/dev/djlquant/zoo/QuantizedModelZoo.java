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
        List<ModelLoader> loaders = new ArrayList<>();
        for (Map.Entry<String, String> a : repository.artifacts()) {
            loaders.add(
                    new CheckedLoader(
                            djl.model(Application.of(a.getKey()), GROUP_ID, a.getValue()),
                            repository.artifactDirectory(a.getKey(), a.getValue())));
        }
        return loaders;
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
     * Says which file of the repository is damaged when DJL's load fails: DJL reports a damaged
     * {@code metadata.json} as a bare {@code JsonSyntaxException}, and a damaged file of a
     * checkpoint it has not cached yet as "Checksum error: model-0000.params", naming neither path.
     * Only a failed load verifies the repository copy; a cached copy is left to {@link
     * CheckpointBlockFactory}, which verifies it on every load.
     */
    private static final class CheckedLoader extends BaseModelLoader {
        private final Path artifactDir;

        CheckedLoader(MRL mrl, Path artifactDir) {
            super(mrl);
            this.artifactDir = artifactDir;
        }

        /** {@inheritDoc} */
        @Override
        public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria)
                throws IOException, ModelNotFoundException, MalformedModelException {
            try {
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
        }
    }

    @Override
    public String toString() {
        return "QuantizedModelZoo(" + repository().root() + ")";
    }
}
