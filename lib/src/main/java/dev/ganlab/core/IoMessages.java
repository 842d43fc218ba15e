package dev.ganlab.core;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file operation failed, in words. Java's file exceptions carry the path as their message
 * ({@code NoSuchFileException: runs/x.json}), so an error built from {@code getMessage()} repeats the
 * path and leaves out the reason.
 */
public final class IoMessages {

    private IoMessages() {}

    /** "no such file", "permission denied", the file system's own reason, or the exception's message. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason().toLowerCase(java.util.Locale.ROOT).startsWith("is a directory") ? "it is a folder"
                    : fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
