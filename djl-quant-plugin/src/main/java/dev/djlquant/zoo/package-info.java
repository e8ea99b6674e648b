/**
 * Reference CIFAR-10 models and quantized checkpoints through DJL's model zoo.
 *
 * <p>Models: DJL-native AlexNet and VGG16 blocks with the layouts of the project's design ({@code
 * ../shared/DESIGN.md}, section 7; {@link dev.djlquant.zoo.CifarArchitectures}), weight import from
 * TorchScript exports by parameter order ({@link dev.djlquant.zoo.TorchScriptImport}), and a
 * translator that turns 32x32 images into class probabilities ({@link
 * dev.djlquant.zoo.CifarTranslator}).
 *
 * <p>Checkpoints: {@link dev.djlquant.zoo.CheckpointWriter} writes a directory that DJL loads by
 * itself (its {@code serving.properties} names {@link dev.djlquant.zoo.CheckpointBlockFactory}), as
 * large as the packed weights plus a few KiB; {@link dev.djlquant.zoo.CheckpointManifest} records
 * format version, source, input normalization, per-parameter spec, metrics and checksums, and
 * {@link dev.djlquant.zoo.CheckpointReader} verifies every byte before DJL parses anything, failing
 * with a {@link dev.djlquant.zoo.CheckpointException} that names the file. {@link
 * dev.djlquant.zoo.ModelRepository} publishes checkpoints into a local repository that {@link
 * dev.djlquant.zoo.QuantizedModelZoo} serves under group id {@code dev.djlquant}, so {@code
 * Criteria.builder().optGroupId("dev.djlquant").optArtifactId(...).optFilter("spec", "dt4@row")}
 * loads them offline; criteria that select several checkpoints are refused, not settled by DJL's
 * first match.
 */
package dev.djlquant.zoo;
