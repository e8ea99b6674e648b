package dev.djlquant.examples.study;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.NormalInitializer;
import dev.djlquant.QuantConfig;
import dev.djlquant.QuantizationReport;
import dev.djlquant.Quantizers;
import dev.djlquant.data.Evaluation;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** A scheme's row summed from the library's report of a two-layer block: 60 and 18 weights. */
class SchemeResultTest {

    private static SequentialBlock twoLayers(NDManager manager) {
        SequentialBlock block =
                new SequentialBlock()
                        .add(Linear.builder().setUnits(6).build())
                        .add(Linear.builder().setUnits(3).build());
        block.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 10));
        return block;
    }

    @Test
    void sizesAreSummedPerPartFromTheReportRows() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = twoLayers(manager);
            QuantizationReport report = Quantizers.apply(block, QuantConfig.of("dt4@sorted16"));
            SchemeResult s =
                    SchemeResult.of(
                            "dt4@sorted16", report, 5000, new Evaluation.Accuracy(7, 10), 1, 2);
            // 6x10 and 3x6 weights; 6 + 3 biases stay float32.
            assertThat(s.totalParameters()).isEqualTo(87);
            assertThat(s.quantizedWeights()).isEqualTo(78);
            assertThat(s.float32Bytes()).isEqualTo(4 * 87);
            // Codes at 4 bits: 30 + 9 bytes. Groups of 16: 4 + 2 scales. Permutations at
            // ceil(log2 n) bits: 60 * 6 / 8 = 45 and ceil(18 * 5 / 8) = 12 bytes.
            assertThat(s.codeBytes()).isEqualTo(39);
            assertThat(s.scaleBytes()).isEqualTo(24);
            assertThat(s.indexBytes()).isEqualTo(57);
            assertThat(s.packedBytes()).isEqualTo(39 + 24 + 57 + 4 * 9);
            assertThat(s.realBitsPerWeight()).isEqualTo(8.0 * 120 / 78);
            assertThat(s.codeBits()).isEqualTo(4.0);
            assertThat(s.nominalBits()).isEqualTo(4);
            assertThat(s.family()).isEqualTo("dt4@sortedN");
            // The study's estimate leaves the permutation out: (78 * 4 + 32 * 6) / 8 bytes.
            assertThat(s.studyBitsPerWeight()).isCloseTo(8.0 * 63 / 78, Offset.offset(1e-12));
            QuantizationReport.Row first = report.rows().get(0);
            QuantizationReport.Row second = report.rows().get(1);
            assertThat(s.entropyBits())
                    .isCloseTo(
                            (60 * first.entropyBits() + 18 * second.entropyBits()) / 78,
                            Offset.offset(1e-12));
            assertThat(s.layers()).containsExactly(first, second);
            assertThat(s.checkpointBytes()).isEqualTo(5000);
            assertThat(s.accuracyPercent()).isEqualTo(70.0);
            assertThat(s.isBaseline()).isFalse();
            assertThat(s.withLayers(List.of()).layers()).isEmpty();
            assertThat(s.withLayers(List.of()).packedBytes()).isEqualTo(s.packedBytes());
        }
    }

    @Test
    void quantizedScalesAreCountedAtTheirOwnSize() {
        try (NDManager manager = NDManager.newBaseManager()) {
            QuantizationReport report =
                    Quantizers.apply(twoLayers(manager), QuantConfig.of("nf4@block16+dq"));
            SchemeResult s =
                    SchemeResult.of(
                            "nf4@block16+dq", report, 5000, new Evaluation.Accuracy(7, 10), 1, 2);
            // Codes at 4 bits: 30 + 9 bytes. Blocks of 16: 4 + 2 groups, each scale one byte,
            // plus two float32 per tensor (one per 256 groups, one more): 12 + 10 bytes.
            assertThat(s.codeBytes()).isEqualTo(39);
            assertThat(s.scaleBytes()).isEqualTo(22);
            assertThat(s.indexBytes()).isZero();
            assertThat(s.realBitsPerWeight()).isEqualTo(8.0 * 61 / 78);
        }
    }
}
