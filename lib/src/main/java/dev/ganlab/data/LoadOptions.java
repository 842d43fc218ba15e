package dev.ganlab.data;

import java.util.Objects;

/**
 * How images are prepared while a data set loads: target size and channels, resize filter, cropping
 * and the policy for unreadable files. Immutable; the {@code with...} methods return copies.
 */
public final class LoadOptions {

    private final Integer resolution;
    private final Integer channels;
    private final Images.Filter filter;
    private final boolean centerCrop;
    private final BadImagePolicy badImagePolicy;
    private final int limit;
    private final DataStorage storage;

    private LoadOptions(Integer resolution, Integer channels, Images.Filter filter, boolean centerCrop,
            BadImagePolicy badImagePolicy, int limit, DataStorage storage) {
        if (resolution != null && resolution < 1) {
            throw new IllegalArgumentException("resolution " + resolution + " must be positive");
        }
        if (channels != null && channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels " + channels + " must be 1 or 3");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit + " must be >= 0 (0 = all)");
        }
        this.resolution = resolution;
        this.channels = channels;
        this.filter = Objects.requireNonNull(filter);
        this.centerCrop = centerCrop;
        this.badImagePolicy = Objects.requireNonNull(badImagePolicy);
        this.limit = limit;
        this.storage = Objects.requireNonNull(storage);
    }

    /** Native size and channels, area filter, center crop on, fail on bad images, no limit, storage auto. */
    public static LoadOptions defaults() {
        return new LoadOptions(null, null, Images.Filter.AREA, true, BadImagePolicy.FAIL, 0, DataStorage.AUTO);
    }

    /** Square output size, or null to keep the source size. */
    public Integer resolution() {
        return resolution;
    }

    /** 1 or 3, or null to keep the source's channels. */
    public Integer channels() {
        return channels;
    }

    public Images.Filter filter() {
        return filter;
    }

    /** Whether non-square images are cropped to their centred square before resizing. */
    public boolean centerCrop() {
        return centerCrop;
    }

    public BadImagePolicy badImagePolicy() {
        return badImagePolicy;
    }

    /** Maximum number of images to load (0 = all). */
    public int limit() {
        return limit;
    }

    /** Where an image folder's decoded pixels are kept ({@link DataStorage}). */
    public DataStorage storage() {
        return storage;
    }

    public LoadOptions withStorage(DataStorage s) {
        return new LoadOptions(resolution, channels, filter, centerCrop, badImagePolicy, limit, s);
    }

    public LoadOptions withResolution(Integer r) {
        return new LoadOptions(r, channels, filter, centerCrop, badImagePolicy, limit, storage);
    }

    public LoadOptions withChannels(Integer c) {
        return new LoadOptions(resolution, c, filter, centerCrop, badImagePolicy, limit, storage);
    }

    public LoadOptions withFilter(Images.Filter f) {
        return new LoadOptions(resolution, channels, f, centerCrop, badImagePolicy, limit, storage);
    }

    public LoadOptions withCenterCrop(boolean crop) {
        return new LoadOptions(resolution, channels, filter, crop, badImagePolicy, limit, storage);
    }

    public LoadOptions withBadImagePolicy(BadImagePolicy p) {
        return new LoadOptions(resolution, channels, filter, centerCrop, p, limit, storage);
    }

    public LoadOptions withLimit(int n) {
        return new LoadOptions(resolution, channels, filter, centerCrop, badImagePolicy, n, storage);
    }

    /**
     * Applies channel conversion, center crop and resize to one decoded image.
     *
     * @return planar bytes of the prepared image
     */
    byte[] prepare(byte[] px, int c, int h, int w) {
        int outC = channels == null ? c : channels;
        byte[] p = Images.convertChannels(px, c, outC, h, w);
        if (resolution == null) {
            return p;
        }
        int hh = h;
        int ww = w;
        if (centerCrop && h != w) {
            int s = Math.min(h, w);
            p = Images.centerCrop(p, outC, h, w, s, s);
            hh = s;
            ww = s;
        }
        return Images.resize(p, outC, hh, ww, resolution, resolution, filter);
    }

    /** Output channels for a source with {@code c} channels. */
    int outChannels(int c) {
        return channels == null ? c : channels;
    }

    @Override
    public String toString() {
        return "resolution=" + (resolution == null ? "native" : resolution) + ", channels="
                + (channels == null ? "native" : channels) + ", filter=" + filter.name().toLowerCase()
                + ", centerCrop=" + centerCrop + ", onBadImage=" + badImagePolicy.name().toLowerCase()
                + ", limit=" + (limit == 0 ? "all" : limit) + ", storage=" + storage;
    }
}
