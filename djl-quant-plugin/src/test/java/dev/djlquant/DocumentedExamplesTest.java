package dev.djlquant;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java examples of the README and docs compile against the library as it is: each {@code
 * ```java} block becomes the body of a method whose class declares, as fields, the variables the
 * examples take from their context (a snippet's own declarations shadow them).
 */
class DocumentedExamplesTest {

    private static final String IMPORTS =
            """
            import ai.djl.Model;
            import ai.djl.metric.Metric;
            import ai.djl.metric.Metrics;
            import ai.djl.modality.Classifications;
            import ai.djl.modality.cv.Image;
            import ai.djl.ndarray.NDList;
            import ai.djl.repository.zoo.Criteria;
            import ai.djl.repository.zoo.ZooModel;
            import ai.djl.training.DefaultTrainingConfig;
            import ai.djl.training.EasyTrain;
            import ai.djl.training.Trainer;
            import ai.djl.training.dataset.RandomAccessDataset;
            import ai.djl.training.evaluator.Accuracy;
            import ai.djl.training.listener.TrainingListener;
            import ai.djl.training.loss.Loss;
            import ai.djl.training.optimizer.Optimizer;
            import ai.djl.training.tracker.Tracker;
            import dev.djlquant.*;
            import dev.djlquant.training.*;
            import dev.djlquant.zoo.*;
            import java.nio.file.Path;
            import java.util.List;
            """;

    /** What the examples use without declaring it. */
    private static final String CONTEXT =
            """
                float[] values;
                Model model;
                Model other;
                Path dir;
                Path pt;
                QuantizationReport report;
                RandomAccessDataset train;
                RandomAccessDataset validation;
            """;

    /** Lines of a generated class before the example's first line. */
    private static final int BODY = (IMPORTS + CONTEXT).split("\n", -1).length + 1;

    @TempDir Path classes;

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "docs/QAT.md"})
    void everyJavaExampleCompiles(String document) throws IOException {
        List<Example> examples = javaBlocks(Path.of("..").resolve(document));
        assertThat(examples).as("```java blocks in %s", document).isNotEmpty();
        List<JavaFileObject> sources = new ArrayList<>();
        for (Example e : examples) {
            sources.add(source(e));
        }

        assertThat(compile(sources, document))
                .as("errors compiling the examples of %s", document)
                .isEmpty();
    }

    /** A {@code ```java} block and the document line of its first line of code. */
    private record Example(int firstLine, String code) {}

    private static List<Example> javaBlocks(Path document) throws IOException {
        List<Example> blocks = new ArrayList<>();
        List<String> lines = Files.readAllLines(document);
        StringBuilder block = null;
        int first = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (block == null && line.equals("```java")) {
                block = new StringBuilder();
                first = i + 2;
            } else if (block != null && line.equals("```")) {
                blocks.add(new Example(first, block.toString()));
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    /** The example's code as a class named after its first line, which starts on {@link #BODY}. */
    private static JavaFileObject source(Example example) {
        String code =
                IMPORTS
                        + "class Line"
                        + example.firstLine()
                        + " {\n"
                        + CONTEXT
                        + "void example() throws Exception {\n"
                        + example.code()
                        + "}\n}\n";
        return new SimpleJavaFileObject(
                URI.create("string:///Line" + example.firstLine() + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }

    /** Compiles against the test class path; returns the errors with their document lines. */
    private List<String> compile(List<JavaFileObject> sources, String document) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        // Surefire starts the tests from a jar whose manifest holds the class path.
        String classPath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> options =
                List.of("-proc:none", "-d", classes.toString(), "-classpath", classPath);
        javac.getTask(null, null, diagnostics, options, null, sources).call();
        return diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> document + " line " + documentLine(d) + ": " + d.getMessage(Locale.ROOT))
                .collect(Collectors.toList());
    }

    /** The document line of a diagnostic: its class is named after the example's first line. */
    private static long documentLine(Diagnostic<? extends JavaFileObject> d) {
        String name = d.getSource().getName();
        int first = Integer.parseInt(name.substring(name.indexOf("Line") + 4, name.indexOf('.')));
        return first + d.getLineNumber() - 1 - BODY;
    }
}
