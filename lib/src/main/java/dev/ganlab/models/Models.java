package dev.ganlab.models;

import dev.ganlab.core.SettingsSchema;
import dev.ganlab.core.UserError;
import dev.ganlab.data.ImageDataset;
import dev.ganlab.models.dcgan.DcganPreset;
import dev.ganlab.models.fastgan.FastganPreset;
import dev.ganlab.models.gan.GanPreset;
import dev.ganlab.models.progan.ProganPreset;
import dev.ganlab.models.resnet19.Resnet19Preset;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The preset table: every model GAN Lab trains, one registration line each (in the spirit of
 * stylegan2-ada's {@code cfg_specs}), and the model a training config names, built for its data.
 * Each model's defaults, applicability and resolution rules live in its package's preset.
 */
public final class Models {

    private static final Map<String, ModelPreset<?>> PRESETS = new LinkedHashMap<>();

    static {
        register(DcganPreset.DCGAN);
        register(DcganPreset.SNDCGAN);
        register(ProganPreset.PROGAN);
        register(FastganPreset.FASTGAN);
        register(GanPreset.GAN);
        register(Resnet19Preset.RESNET19);
    }

    private Models() {}

    private static void register(ModelPreset<?> p) {
        if (PRESETS.putIfAbsent(p.name(), p) != null) {
            throw new IllegalStateException("model '" + p.name() + "' registered twice");
        }
    }

    /** Every registered preset, in registration order. */
    public static Collection<ModelPreset<?>> presets() {
        return Collections.unmodifiableCollection(PRESETS.values());
    }

    /** The names of the models, in registration order. */
    public static List<String> names() {
        return new ArrayList<>(PRESETS.keySet());
    }

    /** The preset of a model; an unknown name is a UserError listing the known ones. */
    public static ModelPreset<?> preset(String model) {
        ModelPreset<?> p = model == null ? null : PRESETS.get(model);
        if (p == null) {
            String near = model == null ? null : SettingsSchema.nearest(model, names());
            throw new UserError("model '" + model + "'" + (near == null ? "" : " (did you mean '" + near + "'?)")
                    + ": use " + String.join(", ", names()));
        }
        return p;
    }

    /**
     * One preset per settings section (the first registered for it), for the rules and checks that run
     * on every section whatever the chosen model.
     */
    public static Collection<ModelPreset<?>> sectionOwners() {
        Map<String, ModelPreset<?>> out = new LinkedHashMap<>();
        for (ModelPreset<?> p : PRESETS.values()) {
            out.putIfAbsent(p.sectionKey(), p);
        }
        return out.values();
    }

    /** The model of a resolved config for images like {@code data}'s. */
    public static GanModel create(ModelSettings cfg, ImageDataset data) {
        if (data.height() != data.width()) {
            throw new UserError(data.name() + " images are " + data.width() + "x" + data.height()
                    + "; GAN Lab models need square images: set resolution");
        }
        ConditionalModels.checkData(cfg, data); // labels present, every class has images (issue 14)
        return create(cfg, data.channels(), data.height(), data.name());
    }

    /** The model of a resolved config for square images of {@code c} channels and size {@code r}. */
    public static GanModel create(ModelSettings cfg, int c, int r, String dataName) {
        ModelPreset<?> p = preset(cfg.modelName());
        ConditionalModels.checkModel(cfg);
        if (ConditionalModels.conditional(cfg)) {
            return ConditionalModels.create(cfg, c, r, dataName);
        }
        return build(p, cfg, c, r, dataName);
    }

    private static <S> GanModel build(ModelPreset<S> p, ModelSettings cfg, int c, int r, String dataName) {
        return p.create(cfg.sectionOf(p), cfg, c, r, dataName);
    }
}
