package dev.djlquant.training;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.djlquant.QuantizedBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Chooses which parameters a fine-tune updates, by name: freeze or unfreeze those whose name
 * matches a regex (searched, as in {@code QuantConfig}) or starts with a prefix, or train only
 * those. Names are those of {@code block.getParameters()}; a {@link QuantizedBlock} is looked
 * through, so the names are the float block's, the same that {@code QuantConfig} regexes see.
 *
 * <p>Call these after {@code model.newTrainer(...)}: DJL's PyTorch engine unfreezes every parameter
 * of a model loaded from disk when it creates a trainer. Running statistics ({@code RUNNING_MEAN},
 * {@code RUNNING_VAR}) are never unfrozen. A regex that matches no parameter is an error.
 */
public final class Freezing {

    private Freezing() {}

    /**
     * Freezes the parameters whose name matches {@code regex}.
     *
     * @param block the block (or a {@link QuantizedBlock} around it)
     * @param regex searched in each parameter name
     * @return the names frozen, in parameter order
     * @throws IllegalArgumentException if no parameter name matches
     */
    public static List<String> freeze(Block block, String regex) {
        return set(block, Pattern.compile(regex), true);
    }

    /**
     * Unfreezes the parameters whose name matches {@code regex}, except running statistics.
     *
     * @param block the block (or a {@link QuantizedBlock} around it)
     * @param regex searched in each parameter name
     * @return the names unfrozen, in parameter order
     * @throws IllegalArgumentException if no parameter name matches
     */
    public static List<String> unfreeze(Block block, String regex) {
        return set(block, Pattern.compile(regex), false);
    }

    /**
     * Freezes the parameters whose name starts with {@code prefix}.
     *
     * @param block the block (or a {@link QuantizedBlock} around it)
     * @param prefix a literal name prefix such as {@code 01SequentialBlock_}
     * @return the names frozen, in parameter order
     * @throws IllegalArgumentException if no parameter name starts with the prefix
     */
    public static List<String> freezePrefix(Block block, String prefix) {
        return set(block, prefixPattern(prefix), true);
    }

    /**
     * Freezes every parameter, then unfreezes those whose name matches {@code regex} (running
     * statistics stay frozen): only they are updated by the trainer.
     *
     * @param block the block (or a {@link QuantizedBlock} around it)
     * @param regex searched in each parameter name
     * @return the names left trainable, in parameter order
     * @throws IllegalArgumentException if no parameter name matches
     */
    public static List<String> trainOnly(Block block, String regex) {
        Pattern pattern = Pattern.compile(regex);
        check(parameters(block), pattern);
        QatTraining.floatBlock(block).freezeParameters(true);
        return set(block, pattern, false);
    }

    /**
     * Freezes every parameter, then unfreezes those whose name starts with {@code prefix} (running
     * statistics stay frozen), for instance the classifier of a pretrained network.
     *
     * @param block the block (or a {@link QuantizedBlock} around it), such as {@code
     *     trainer.getModel().getBlock()} once the trainer exists
     * @param prefix a literal name prefix such as {@code 02SequentialBlock_}
     * @return the names left trainable, in parameter order
     * @throws IllegalArgumentException if no parameter name starts with the prefix
     */
    public static List<String> trainOnlyPrefix(Block block, String prefix) {
        return trainOnly(block, prefixPattern(prefix).pattern());
    }

    /**
     * Returns the names of the parameters that the trainer would update.
     *
     * @param block the block (or a {@link QuantizedBlock} around it)
     * @return the names whose parameter requires a gradient, in parameter order
     */
    public static List<String> trainable(Block block) {
        return parameters(block).stream()
                .filter(p -> p.getValue().requiresGradient())
                .map(Pair::getKey)
                .collect(Collectors.toList());
    }

    private static Pattern prefixPattern(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("A name prefix must not be empty");
        }
        return Pattern.compile("^" + Pattern.quote(prefix));
    }

    private static List<String> set(Block block, Pattern pattern, boolean freeze) {
        List<Pair<String, Parameter>> parameters = parameters(block);
        check(parameters, pattern);
        List<String> changed = new ArrayList<>();
        for (Pair<String, Parameter> p : parameters) {
            if (!pattern.matcher(p.getKey()).find()) {
                continue;
            }
            Parameter parameter = p.getValue();
            if (!freeze && isRunningStatistic(parameter)) {
                continue;
            }
            parameter.freeze(freeze);
            changed.add(p.getKey());
        }
        return changed;
    }

    private static boolean isRunningStatistic(Parameter parameter) {
        return parameter.getType() == Parameter.Type.RUNNING_MEAN
                || parameter.getType() == Parameter.Type.RUNNING_VAR;
    }

    private static void check(List<Pair<String, Parameter>> parameters, Pattern pattern) {
        if (parameters.stream().noneMatch(p -> pattern.matcher(p.getKey()).find())) {
            String names =
                    parameters.stream()
                            .limit(12)
                            .map(Pair::getKey)
                            .collect(Collectors.joining(", "));
            throw new IllegalArgumentException(
                    "No parameter name matches '"
                            + pattern
                            + "'; the block has "
                            + (parameters.isEmpty()
                                    ? "no parameters"
                                    : names
                                            + (parameters.size() > 12
                                                    ? ", ... (" + parameters.size() + " in all)"
                                                    : "")));
        }
    }

    private static List<Pair<String, Parameter>> parameters(Block block) {
        return QatTraining.floatBlock(block).getParameters().stream().collect(Collectors.toList());
    }
}
