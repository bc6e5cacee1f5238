package dev.headgeo.cli;

import dev.headgeo.dump.Dump;
import dev.headgeo.dump.DumpException;
import dev.headgeo.dump.DumpReader;
import java.nio.file.Path;

/** Loads the dump a command names: a path, or {@code -} for standard input. */
final class Dumps {
    private Dumps() {}

    static Dump load(String source) {
        try {
            return "-".equals(source)
                    ? DumpReader.read(System.in, "stdin")
                    : DumpReader.read(Path.of(source));
        } catch (DumpException e) {
            throw new UserError(e.getMessage());
        }
    }
}
