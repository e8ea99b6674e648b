package dev.djlquant.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Progress;
import org.junit.jupiter.api.Test;

class EvaluationTest {

    /** Predicts "cat" (label 3) for every image. */
    private final LambdaBlock alwaysCat =
            new LambdaBlock(
                    inputs -> {
                        NDArray x = inputs.head();
                        long n = x.getShape().get(0);
                        NDArray logits = x.getManager().zeros(new Shape(n, 10), DataType.FLOAT32);
                        logits.set(new NDIndex(":, 3"), 1f);
                        return new NDList(logits);
                    });

    @Test
    void countsArgMaxMatchesOverUnevenBatchesAndReportsProgress() throws Exception {
        CifarDataset dataset = CifarDataset.builder(Synthetic.images(10)).build();
        RecordingProgress progress = new RecordingProgress();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Evaluation.Accuracy accuracy =
                    Evaluation.accuracy(
                            alwaysCat, new ParameterStore(manager, false), dataset, 7, progress);

            assertThat(accuracy).isEqualTo(new Evaluation.Accuracy(10, 100));
            assertThat(accuracy.fraction()).isEqualTo(0.1);
            assertThat(accuracy.toString()).isEqualTo("10.00% (10/100)");
        }
        assertThat(progress.max).isEqualTo(100);
        assertThat(progress.done).isEqualTo(100);
        assertThat(progress.ended).isTrue();
    }

    private static final class RecordingProgress implements Progress {
        long max;
        long done;
        boolean ended;

        @Override
        public void reset(String message, long max, String trailingMessage) {
            this.max = max;
        }

        @Override
        public void start(long initialProgress) {
            done = initialProgress;
        }

        @Override
        public void end() {
            ended = true;
        }

        @Override
        public void increment(long increment) {
            done += increment;
        }

        @Override
        public void update(long progress, String message) {
            done = progress;
        }
    }
}
