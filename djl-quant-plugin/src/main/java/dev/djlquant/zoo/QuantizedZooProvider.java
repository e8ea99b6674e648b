package dev.djlquant.zoo;

import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooProvider;

/**
 * Registers {@link QuantizedModelZoo} with DJL through {@code
 * META-INF/services/ai.djl.repository.zoo.ZooProvider}, so {@code
 * Criteria.builder().optGroupId("dev.djlquant")} finds published checkpoints.
 */
public final class QuantizedZooProvider implements ZooProvider {

    /** {@inheritDoc} */
    @Override
    public ModelZoo getModelZoo() {
        return new QuantizedModelZoo();
    }
}
