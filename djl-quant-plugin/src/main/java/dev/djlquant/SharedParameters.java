package dev.djlquant;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A block's parameters once each. A layer used twice lists its parameters under two names, and they
 * are one weight; this library names each parameter by the first name the list gives it (in
 * reports, packed weights and checkpoints), whichever of its names selected it.
 */
public final class SharedParameters {

    private SharedParameters() {}

    /**
     * Returns each parameter once, under its first name, in the list's order.
     *
     * @param all a block's parameters, e.g. {@code block.getParameters()}
     * @return the distinct parameters with their first names
     */
    public static List<Pair<String, Parameter>> distinct(Iterable<Pair<String, Parameter>> all) {
        Map<Parameter, String> first = firstNames(all);
        List<Pair<String, Parameter>> distinct = new ArrayList<>();
        for (Pair<String, Parameter> p : all) {
            if (first.get(p.getValue()).equals(p.getKey())) {
                distinct.add(p);
            }
        }
        return distinct;
    }

    /**
     * Returns the first name of every parameter of the list, by identity.
     *
     * @param all a block's parameters
     * @return a map from each parameter (compared by identity) to its first name
     */
    public static Map<Parameter, String> firstNames(Iterable<Pair<String, Parameter>> all) {
        Map<Parameter, String> first = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : all) {
            first.putIfAbsent(p.getValue(), p.getKey());
        }
        return first;
    }
}
