package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command line keeps DJL's start-up notes off stderr, but not against the user's choice. */
class DjlqLogLevelTest {

    private static final List<String> PROPERTIES =
            List.of(Djlq.LOG_LEVEL_PROPERTY, Djlq.TRAINING_LOG_PROPERTY);

    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void save() {
        PROPERTIES.forEach(p -> saved.put(p, System.getProperty(p)));
        PROPERTIES.forEach(System::clearProperty);
    }

    @AfterEach
    void restore() {
        for (String p : PROPERTIES) {
            if (saved.get(p) == null) {
                System.clearProperty(p);
            } else {
                System.setProperty(p, saved.get(p));
            }
        }
    }

    @Test
    void withoutAChoiceErrorsAndEpochSummariesAreLogged() {
        Djlq.quietDjlLogs();
        assertThat(System.getProperty(Djlq.LOG_LEVEL_PROPERTY)).isEqualTo("error");
        assertThat(System.getProperty(Djlq.TRAINING_LOG_PROPERTY)).isEqualTo("info");
    }

    @Test
    void theUsersLevelStands() {
        System.setProperty(Djlq.LOG_LEVEL_PROPERTY, "debug");
        Djlq.quietDjlLogs();
        assertThat(System.getProperty(Djlq.LOG_LEVEL_PROPERTY)).isEqualTo("debug");
        assertThat(System.getProperty(Djlq.TRAINING_LOG_PROPERTY)).isNull();
    }
}
