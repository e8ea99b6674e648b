package dev.djlquant.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command line keeps DJL's start-up notes off stderr, but not against the user's choice. */
class DjlqLogLevelTest {

    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(Djlq.LOG_LEVEL_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(Djlq.LOG_LEVEL_PROPERTY);
        } else {
            System.setProperty(Djlq.LOG_LEVEL_PROPERTY, saved);
        }
    }

    @Test
    void withoutAChoiceOnlyErrorsAreLogged() {
        System.clearProperty(Djlq.LOG_LEVEL_PROPERTY);
        Djlq.quietDjlLogs();
        assertThat(System.getProperty(Djlq.LOG_LEVEL_PROPERTY)).isEqualTo("error");
    }

    @Test
    void theUsersLevelStands() {
        System.setProperty(Djlq.LOG_LEVEL_PROPERTY, "info");
        Djlq.quietDjlLogs();
        assertThat(System.getProperty(Djlq.LOG_LEVEL_PROPERTY)).isEqualTo("info");
    }
}
