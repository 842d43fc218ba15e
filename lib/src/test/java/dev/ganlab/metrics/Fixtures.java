package dev.ganlab.metrics;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ganlab.data.ImageDataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads the fixtures made by environment/reference/*.py from test resources under /metrics. */
final class Fixtures {

    private Fixtures() {}

    static InputStream open(String name) {
        InputStream in = Fixtures.class.getResourceAsStream("/metrics/" + name);
        if (in == null) {
            throw new IllegalStateException("missing test resource /metrics/" + name
                    + " (made by environment/reference/make_metric_fixtures.py)");
        }
        return in;
    }

    static Npy.Array npy(String name) {
        try (InputStream in = open(name)) {
            return Npy.read(in, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FeatureMatrix matrix(String name) {
        return npy(name).toMatrix();
    }

    static JsonObject json(String name) {
        try (InputStream in = open(name)) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonObject reference() {
        return json("reference.json");
    }

    /** A uint8 (N, C, H, W) array as a data set. */
    static ImageDataset images(String name) {
        Npy.Array a = npy(name);
        int[] s = a.shape();
        int len = s[1] * s[2] * s[3];
        List<byte[]> px = new ArrayList<>();
        for (int i = 0; i < s[0]; i++) {
            byte[] b = new byte[len];
            for (int k = 0; k < len; k++) {
                b[k] = (byte) (int) a.values()[i * len + k];
            }
            px.add(b);
        }
        return new ImageDataset(name, s[1], s[2], s[3], px, null, List.of());
    }
}
