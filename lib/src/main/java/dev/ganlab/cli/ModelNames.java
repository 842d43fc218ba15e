package dev.ganlab.cli;

import dev.ganlab.models.Models;

import java.util.Iterator;

/**
 * The registered model names for picocli's {@code completionCandidates}, so a {@code --model} help
 * text ({@code ${COMPLETION-CANDIDATES}}) lists the preset table and a new model needs no CLI edit.
 */
public final class ModelNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return Models.names().iterator();
    }
}
