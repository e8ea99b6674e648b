package dev.djlquant.zoo;

import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import dev.djlquant.data.ImageNormalization;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Supplies a {@link CifarTranslator} for {@code Image -> Classifications}, so model zoos and {@code
 * Criteria.optTranslatorFactory} can name it (for instance as the {@code translatorFactory}
 * argument in a model's {@code metadata.json}). The argument {@value #NORMALIZATION} sets the input
 * normalization ({@link ImageNormalization#parse}); without it, {@link ImageNormalization#CIFAR10}.
 * Checkpoints record theirs there.
 */
public final class CifarTranslatorFactory implements TranslatorFactory {

    /** The argument that names the input normalization. */
    public static final String NORMALIZATION = "normalization";

    /** The argument with which DJL finds a translator factory by class name. */
    static final String FACTORY_ARGUMENT = "translatorFactory";

    /**
     * The loading arguments that give a checkpoint's image inputs their translator: this factory
     * for the dataset {@value CheckpointWriter#CIFAR10}, and the normalization where one is
     * recorded.
     */
    static Map<String, Object> checkpointArguments(
            String dataset, ImageNormalization normalization) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        if (CheckpointWriter.CIFAR10.equals(dataset)) {
            arguments.put(FACTORY_ARGUMENT, CifarTranslatorFactory.class.getName());
        }
        if (normalization != null) {
            arguments.put(NORMALIZATION, normalization.toString());
        }
        return arguments;
    }

    /** {@inheritDoc} */
    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return Set.of(new Pair<>(Image.class, Classifications.class));
    }

    /** {@inheritDoc} */
    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(
            Class<I> input, Class<O> output, Model model, Map<String, ?> arguments) {
        if (!isSupported(input, output)) {
            throw new IllegalArgumentException(
                    "Unsupported types "
                            + input.getName()
                            + " -> "
                            + output.getName()
                            + "; only Image -> Classifications");
        }
        CifarTranslator.Builder builder = CifarTranslator.builder();
        Object normalization = arguments.get(NORMALIZATION);
        if (normalization != null) {
            try {
                builder.optNormalization(ImageNormalization.parse(normalization.toString()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Argument "
                                + NORMALIZATION
                                + " of "
                                + model.getName()
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
        return (Translator<I, O>) builder.build();
    }
}
