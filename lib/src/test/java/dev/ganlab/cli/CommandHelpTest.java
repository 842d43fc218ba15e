package dev.ganlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ganlab COMMAND --help} prints that command's help and exits 0 (issue 13, item 8). */
class CommandHelpTest {

    @Test
    void everyCommandPrintsItsOwnHelpAndExitsZero() {
        Map<String, CommandLine> commands = new CommandLine(new Main()).getSubcommands();
        assertTrue(commands.size() >= 11, commands.keySet().toString());
        for (Map.Entry<String, CommandLine> e : commands.entrySet()) {
            String name = e.getKey();
            for (String flag : new String[] {"--help", "-h"}) {
                String[] r = MainRunner.run(name, flag);
                assertEquals("0", r[0], "ganlab " + name + " " + flag + " exit status; stderr: " + r[2]);
                assertTrue(r[1].contains("Usage: ganlab " + name), "ganlab " + name + " " + flag + ":\n" + r[1]);
                for (CommandLine.Model.OptionSpec o : e.getValue().getCommandSpec().options()) {
                    assertTrue(r[1].contains(o.longestName()),
                            "ganlab " + name + " --help does not list " + o.longestName() + ":\n" + r[1]);
                }
            }
        }
        // A required option is still required when help is not asked for.
        String[] missing = MainRunner.run("sample");
        assertEquals("2", missing[0], missing[2]);
        assertTrue(missing[2].contains("--run") || missing[2].contains("--out"), missing[2]);
    }
}
