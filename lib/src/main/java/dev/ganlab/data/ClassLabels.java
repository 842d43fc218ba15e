package dev.ganlab.data;

import dev.ganlab.core.UserError;

/**
 * Checks that a data set can feed class-conditional training or sampling, with messages that name the
 * data set, the class and the fix. Labelled sets: {@code fashion-mnist} (10 classes from the idx label
 * files), {@code emoji} (its categories), {@code folder:DIR?labels=dirs} (one sub-folder per class),
 * {@code mnist:DIR}, {@code cifar10:DIR}.
 */
public final class ClassLabels {

    private ClassLabels() {}

    /**
     * @param purpose what needs the labels, e.g. "cond=projection"
     * @throws UserError when {@code ds} has no labels
     */
    public static void requireLabelled(ImageDataset ds, String purpose) {
        if (!ds.hasLabels() || ds.classNames().isEmpty()) {
            throw new UserError(purpose + " needs class labels, but data set " + ds.name() + " has none (labelled"
                    + " sets: fashion-mnist, emoji, mnist:DIR, cifar10:DIR, folder:DIR?labels=dirs with one sub-folder"
                    + " per class)");
        }
    }

    /** The number of classes K of a labelled set. */
    public static int classCount(ImageDataset ds, String purpose) {
        requireLabelled(ds, purpose);
        return ds.classNames().size();
    }

    /** @throws UserError when {@code label} is outside 0..K-1 of {@code ds} */
    public static void checkLabel(ImageDataset ds, int label, String purpose) {
        int k = classCount(ds, purpose);
        if (label < 0 || label >= k) {
            throw new UserError(purpose + ": class " + label + " is outside 0.." + (k - 1) + " of data set " + ds.name()
                    + " (" + names(ds) + ")");
        }
    }

    /** @throws UserError when {@code label} is outside 0..K-1 for a model trained with K classes */
    public static void checkLabel(int label, int classes, String what) {
        if (label < 0 || label >= classes) {
            throw new UserError(what + ": class " + label + " is outside 0.." + (classes - 1));
        }
    }

    /** @throws UserError naming the first class of {@code ds} that has no images */
    public static void requireEveryClass(ImageDataset ds, String purpose) {
        int k = classCount(ds, purpose);
        int[] counts = counts(ds);
        for (int c = 0; c < k; c++) {
            if (counts[c] == 0) {
                throw new UserError(purpose + ": class " + c + " ('" + ds.classNames().get(c) + "') of data set "
                        + ds.name() + " has no images (add images of it, or use a set whose class list only names classes it has)");
            }
        }
        for (int i = 0; i < ds.size(); i++) {
            if (ds.label(i) < 0 || ds.label(i) >= k) {
                throw new UserError(purpose + ": image " + i + " of data set " + ds.name() + " has label "
                        + ds.label(i) + ", outside 0.." + (k - 1));
            }
        }
    }

    /** Images per class. */
    public static int[] counts(ImageDataset ds) {
        int[] c = new int[ds.classNames().size()];
        for (int i = 0; i < ds.size(); i++) {
            int l = ds.label(i);
            if (l >= 0 && l < c.length) {
                c[l]++;
            }
        }
        return c;
    }

    private static String names(ImageDataset ds) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < ds.classNames().size(); c++) {
            if (c > 0) {
                b.append(", ");
            }
            b.append(c).append('=').append(ds.classNames().get(c));
        }
        return b.toString();
    }
}
