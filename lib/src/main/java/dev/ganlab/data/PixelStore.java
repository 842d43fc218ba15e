package dev.ganlab.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the planar 8-bit pixels of an {@link ImageDataset} live: in the heap ({@link Memory}) or in a
 * prepared file on disk ({@link DiskPixelCache}), read one image at a time. Selections and
 * concatenations of a disk store stay views (no image is read until asked for), so a subset of a data
 * set larger than memory is no larger in the heap than its index list.
 */
interface PixelStore {

    int size();

    /** The planar bytes of image {@code i}; callers do not modify them. */
    byte[] get(int i);

    /** True when every image is held in the heap. */
    boolean inMemory();

    /** Where the pixels are, for logs: "in memory" or the cache file. */
    String where();

    /** The images at {@code indices}, in that order (a copy of the list in memory, a view on disk). */
    default PixelStore select(int[] indices) {
        if (inMemory()) {
            List<byte[]> px = new ArrayList<>(indices.length);
            for (int i : indices) {
                px.add(get(i));
            }
            return new Memory(px);
        }
        return new Selection(this, indices.clone());
    }

    /** Images held in the heap. */
    record Memory(List<byte[]> pixels) implements PixelStore {
        @Override
        public int size() {
            return pixels.size();
        }

        @Override
        public byte[] get(int i) {
            return pixels.get(i);
        }

        @Override
        public boolean inMemory() {
            return true;
        }

        @Override
        public String where() {
            return "in memory";
        }
    }

    /** A view of some images of another store. */
    record Selection(PixelStore base, int[] indices) implements PixelStore {
        @Override
        public int size() {
            return indices.length;
        }

        @Override
        public byte[] get(int i) {
            return base.get(indices[i]);
        }

        @Override
        public boolean inMemory() {
            return base.inMemory();
        }

        @Override
        public String where() {
            return base.where();
        }

        @Override
        public PixelStore select(int[] more) {
            int[] idx = new int[more.length];
            for (int k = 0; k < more.length; k++) {
                idx[k] = indices[more[k]];
            }
            return new Selection(base, idx);
        }
    }

    /** Stores one after the other. */
    record Concat(List<PixelStore> parts, int[] starts) implements PixelStore {
        static Concat of(List<PixelStore> parts) {
            int[] starts = new int[parts.size() + 1];
            for (int k = 0; k < parts.size(); k++) {
                starts[k + 1] = starts[k] + parts.get(k).size();
            }
            return new Concat(List.copyOf(parts), starts);
        }

        @Override
        public int size() {
            return starts[starts.length - 1];
        }

        @Override
        public byte[] get(int i) {
            int k = java.util.Arrays.binarySearch(starts, i);
            // An exact hit is the first image of part k (empty parts share a start: take the last of them).
            if (k >= 0) {
                while (k + 1 < starts.length - 1 && starts[k + 1] == i) {
                    k++;
                }
            } else {
                k = -k - 2;
            }
            return parts.get(k).get(i - starts[k]);
        }

        @Override
        public boolean inMemory() {
            return parts.stream().allMatch(PixelStore::inMemory);
        }

        @Override
        public String where() {
            return parts.stream().map(PixelStore::where).distinct().reduce((a, b) -> a + " + " + b).orElse("empty");
        }
    }
}
