package dev.djlquant.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * What a measurement ran on, for the headers of benchmark and study reports: cores, CPU model, JVM
 * and the system load, which on a shared machine explains more of a run's spread than anything
 * else.
 */
public final class Machine {

    private Machine() {}

    /**
     * Returns the system load average over the last minute.
     *
     * @return the load average, or a negative value where the system does not report one
     */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * Describes the machine in one line.
     *
     * @return e.g. {@code 2 cores (AMD EPYC 9B14), OpenJDK 64-Bit Server VM 17.0.15}
     */
    public static String describe() {
        return String.format(
                Locale.ROOT,
                "%d cores (%s), %s %s",
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: leave the model out.
        }
        return "unknown CPU";
    }
}
