package dev.djlquant.examples.study;

/**
 * What the fine-tuning did.
 *
 * @param mode {@code classifier} (pretrained, features frozen), {@code scratch} or {@code none}
 * @param trainImages the training images
 * @param epochs the epochs
 * @param batchSize the batch size
 * @param learningRate Adam's learning rate
 * @param trainableParameters the parameter values that were trained
 * @param trainAccuracy training accuracy of the last epoch (on augmented images, dropout on)
 * @param trainLoss training loss of the last epoch
 * @param seconds wall time of the training loop
 */
public record FineTuneSummary(
        String mode,
        int trainImages,
        int epochs,
        int batchSize,
        float learningRate,
        long trainableParameters,
        double trainAccuracy,
        double trainLoss,
        double seconds) {}
