/**
 * Reference CIFAR-10 models: DJL-native AlexNet and VGG16 blocks with the layouts of DESIGN.md
 * section 7, weight import from TorchScript exports by parameter order, and a translator that turns
 * 32x32 images into class probabilities.
 */
package dev.djlquant.zoo;
