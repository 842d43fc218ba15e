"""The job table of the reproduction (environment/repro/reproduce.py): recipes, and who trains which
recipe with which seed for which step budgets.

Every recipe is a complete GAN Lab TrainConfig: each setting that shapes training is written out, so
a default changed later in the library (another generator, a recalibrated EMA) does not silently
change what a row of lib/REPRODUCTION.md measured. Settings the jar knows but the recipe does not
name are listed per result as "unpinned" (reproduce.py compares against the run's resolved
config.json), which is how a new default shows up.

Adding the later items of issue 17 (the loss x regulariser grid, ProGAN and FastGAN curves, reference
models) means adding recipes and jobs here; the driver, the scoring and the report need no change
as long as a job's implementation is one of IMPLS.
"""
import copy

# PyTorch-GAN's Adam: no weight decay (the dcgan preset's default since 2026-12-04 is the DCGAN code's 1e-5).
ADAM_DCGAN = {"type": "adam", "lr": 2e-4, "beta1": 0.5, "beta2": 0.999, "eps": 1e-8, "alpha": 0.99, "momentum": 0.0,
              "weightDecay": 0.0}

DCGAN_FMNIST28_NS = {
    # what is trained on what: notebook 01's data at its native 28 px (no resampling on either side)
    "model": "dcgan", "data": "fashion-mnist", "resolution": 28, "channels": 1, "dataLimit": 0, "hflip": False,
    # the game: DCGAN paper / PyTorch-GAN
    "batch": 64, "nCritic": 1, "loss": "ns", "penalty": "none", "penaltyWeight": 0.0, "penaltyEvery": 1,
    "drift": 0.0, "clip": 0.0, "hingeMargin": "fixed",
    "optG": dict(ADAM_DCGAN), "optD": dict(ADAM_DCGAN),
    # EMA of the generator as PyTorch-GAN-style code keeps it: batch-norm buffers copied from the raw
    # generator (emaBatchNormLatents 0), which is what the peer does; GAN Lab's default re-estimates them.
    "emaDecay": 0.999, "emaBatchNormLatents": 0, "augment": "",
    "tricks": {"labelSmoothing": 1.0, "instanceNoise": 0.0, "featureMatching": 0.0, "featureMatchingOnly": False,
               "minibatchDiscrimination": 0, "replayBuffer": 0, "replayFraction": 0.5, "historicalAveraging": 0.0,
               # Instance noise is off; its schedule length is pinned anyway because GAN Lab fills it in
               # from the first budget's steps, and a second resume that extends the run again would
               # otherwise compare as "another config" (GanTrainer.sameSettings resolves it at the new length).
               "instanceNoiseSteps": 1000},
    # PyTorch-GAN's generator (upsample + 3x3 conv), discriminator and N(0, I) latents: the peer's layout.
    # GAN Lab's dcgan default is now the paper's (transposed convs, 5x5 strided D, uniform latents), another recipe.
    "dcgan": {"variant": "dcgan", "generator": "pytorchgan", "discriminator": "pytorchgan", "latent": "normal",
              "latentDim": 100, "gWidth": 128, "dWidth": 16, "dNorm": "batch",
              "dDropout": 0.25, "minibatchKernels": 0, "minibatchKernelDim": 5},
    # bookkeeping (does not change the trained weights); scoring happens afterwards with `ganlab metrics`
    "logEvery": 50, "sampleEvery": 500, "checkpointEvery": 250, "keepCheckpoints": 2, "sampleCount": 64,
    "collapseThreshold": 0.5,
    "eval": {"metrics": "", "every": 0, "n": 0, "features": "fmnist", "real": "fashion-mnist:test", "ema": True},
}

RECIPES = {
    "dcgan-fmnist28-ns": {
        "config": DCGAN_FMNIST28_NS,
        "title": "DCGAN, Fashion-MNIST 28 px, non-saturating loss, no regulariser",
        "why": "Notebook 01's baseline game (model dcgan, data fashion-mnist at its own 28 px, loss ns) in the layout of"
               " its quick profile, PyTorch-GAN's generator and discriminator with N(0, I) latents, at PyTorch-GAN's"
               " generator width 128 (the quick profile narrows it to 64; the full profile trains the DCGAN paper's"
               " layout instead), against the same recipe in Python PyTorch (environment/bench/dcgan_peer.py --train).",
        # settings of the jar that do not apply to this model (another model's block)
        "irrelevant": ("progan.", "fastgan.", "gan.", "resnet19."),
        # lib/zoo/NAME: GAN Lab's seed-1 run of this recipe trained on (environment/zoo/recipes.py), shown beside
        # the table when it has trained longer than the largest budget, with what its rows are (said under the table)
        "reference_models": (
            ("dcgan-fmnist-20k", "GAN Lab's seed-1 run of this table trained on from its 5,000-step checkpoint to the"
                                 " 20,000 steps issue 17 names, with the library of its export (its README says"
                                 " which; the bullets on differences below describe the table's runs)."),
            ("dcgan-fmnist", "the same recipe and seed trained from step 0 to 30,000 steps, where its FID levels off,"
                             " its EMA generator scored every 2,500 steps along the way (its curve is under \"The"
                             " reference models' long runs\" below): another run than this table's seed 1, the same"
                             " up to the engine's arithmetic on another processor."),
        ),
    },
}

# Scoring, the same for every job: the whole Fashion-MNIST test split (10,000 images) as the real set,
# so the real side has no subset noise, and as many fakes (FID's bias depends on the sample count, so
# both sides of a comparison use the same count), through GAN Lab's Fashion-MNIST feature network.
# The loss x regulariser grid of notebooks 01 / 05 (issue 17): Kurach et al. 2019's question ("which loss,
# which regulariser?") at small scale. Each cell is the DCGAN recipe above with one loss and one
# regulariser; the generator is narrowed to width 32 (notebook 05's quick width) so the 27 runs fit a CPU
# (its step costs about a sixteenth of width 128's), everything else is the recipe's.
GRID_LOSSES = ("ns", "lsgan", "hinge")
GRID_REGULARISERS = {
    "none": {"dNorm": "batch", "penalty": "none", "penaltyWeight": 0.0},
    # Miyato et al. 2018: spectral normalisation in every D layer, in place of batch norm
    "sn": {"dNorm": "spectral", "penalty": "none", "penaltyWeight": 0.0},
    # Mescheder et al. 2018: R1 on reals, gamma 10 (GradientPenalty's default); a per-sample penalty
    # cannot sit on batch norm, so D takes layer norm, as notebook 05's variant does
    "r1": {"dNorm": "layer", "penalty": "r1", "penaltyWeight": 10.0},
}
GRID_G_WIDTH = 32
GRID_BUDGET = 2000
GRID_SEEDS = (1, 2, 3)


def grid_recipe(loss, reg):
    c = copy.deepcopy(DCGAN_FMNIST28_NS)
    r = GRID_REGULARISERS[reg]
    c["loss"] = loss
    c["penalty"] = r["penalty"]
    c["penaltyWeight"] = r["penaltyWeight"]
    c["dcgan"]["dNorm"] = r["dNorm"]
    c["dcgan"]["gWidth"] = GRID_G_WIDTH
    return {
        "config": c,
        "title": f"Grid cell: loss {loss}, regulariser {reg}",
        "why": "One cell of the loss x regulariser grid (see that section).",
        "irrelevant": ("progan.", "fastgan.", "gan.", "resnet19."),
        "grid": (loss, reg),
    }


for _loss in GRID_LOSSES:
    for _reg in GRID_REGULARISERS:
        RECIPES[f"grid-{_loss}-{_reg}"] = grid_recipe(_loss, _reg)

# Notebook 01's quick profile (issue 17, item 3): the baseline exactly as the notebook trains it in that profile,
# PyTorch-GAN's layout at generator width 64 for 1,800 steps, with the library's EMA as the notebook has it
# (batch-norm statistics of the EMA copy re-estimated from 512 latents, emaBatchNormLatents; the table above pins
# the peer's copying). Three seeds scored like every row here: the notebook takes its FID target from them.
DCGAN_FMNIST28_QUICK = copy.deepcopy(DCGAN_FMNIST28_NS)
DCGAN_FMNIST28_QUICK["dcgan"]["gWidth"] = 64
DCGAN_FMNIST28_QUICK["emaBatchNormLatents"] = 512
QUICK_BUDGET = 1800
RECIPES["dcgan-fmnist28-quick"] = {
    "config": DCGAN_FMNIST28_QUICK,
    "title": "Notebook 01's quick profile: DCGAN, Fashion-MNIST 28 px, generator width 64, 1,800 steps",
    "why": "The DCGAN baseline of notebook 01 as its quick profile trains it (the recipe above at generator width 64,"
           " with the library's EMA, batch-norm statistics re-estimated): notebook 01 checks its own run against"
           " these seeds (its FID target is their mean plus two standard deviations of the EMA generator's FID).",
    "irrelevant": ("progan.", "fastgan.", "gan.", "resnet19."),
    "reference": None,
    "target": {"notebook": "notebooks/01-dcgan-baseline.ipynb", "generator": "ema", "metric": "fid"},
}

# The original GAN (Goodfellow et al. 2014) as notebook 01 opens with it: PyTorch-GAN's fully connected layout
# (the library's `gan` defaults), N(0, I) latents, ns loss, Adam 2e-4 (0.5, 0.999), batch 64, EMA as the
# library keeps it, at the quick profile's 3,000 steps (2026-12-03; before it, 1,000, the first budget here: at 1,000
# steps its samples were tops only, at 3,000 tops, trousers, shoes and dresses; environment/repro/findings.md).
GAN_FMNIST28 = {k: copy.deepcopy(v) for k, v in DCGAN_FMNIST28_NS.items() if k != "dcgan"}   # data, game, bookkeeping
GAN_FMNIST28.update({
    "model": "gan", "emaBatchNormLatents": 512,
    "gan": {"latentDim": 100, "gHidden": "128,256,512,1024", "dHidden": "512,256", "leakySlope": 0.2, "bnEps": 0.8,
            "gNorm": "batch", "gActivation": "leakyrelu", "dActivation": "leakyrelu", "maxoutPieces": 5,
            "dInputDropout": 0.0, "dDropout": 0.0, "dNorm": "none", "init": "pytorch"},
})
GAN_BUDGETS = (1000, 3000)
RECIPES["gan-fmnist28"] = {
    "config": GAN_FMNIST28,
    "title": "The original GAN (fully connected), Fashion-MNIST 28 px, 1,000 and 3,000 steps",
    "why": "Notebook 01's opening model (`model gan`, Goodfellow et al. 2014 in PyTorch-GAN's layout) at its quick"
           " profile's budget (3,000 steps; 1,000 was the budget before), three seeds: what the game in its simplest"
           " form reaches in two or three minutes on a CPU, and the spread a single run of it sits in.",
    "irrelevant": ("progan.", "fastgan.", "dcgan.", "resnet19."),
    "reference": None,
}

# The fourth loss of notebook 01's side-by-side, WGAN-GP (Gulrajani et al. 2017), beside the grid: the grid's
# DCGAN at generator width 32 with the paper's training settings (the library's wgan-gp preset): layer norm in the
# critic instead of batch norm (a per-sample penalty), gradient penalty weight 10, five critic steps per generator
# step, Adam 1e-4 with betas (0, 0.9). The critic keeps the grid's PyTorch-GAN layout with its dropout of 0.25,
# which the paper's critic does not have, so that only the game differs from the grid's cells. 2,000 generator
# steps and the grid's seeds: its FID reads against the grid's at equal generator steps (the critic takes five
# times the updates and sees five times the real images).
WGAN_GP_W32 = grid_recipe("ns", "none")["config"]
WGAN_GP_W32.update({"loss": "wgan-gp", "penalty": "wgan-gp", "penaltyWeight": 10.0, "nCritic": 5,
                    "optG": dict(ADAM_DCGAN, lr=1e-4, beta1=0.0, beta2=0.9),
                    "optD": dict(ADAM_DCGAN, lr=1e-4, beta1=0.0, beta2=0.9)})
WGAN_GP_W32["dcgan"]["dNorm"] = "layer"
RECIPES["wgan-gp-w32"] = {
    "config": WGAN_GP_W32,
    "title": "Beside the grid: WGAN-GP, Fashion-MNIST 28 px, generator width 32, 2,000 generator steps",
    "why": "The fourth loss family of notebook 01's side-by-side, with its paper's training settings (layer norm in the"
           " critic, penalty weight 10, five critic steps, Adam 1e-4, betas (0, 0.9)) on the grid's networks (the"
           " critic keeps their dropout, which the paper's does not have), budget and seeds: its FID reads against"
           " the grid's cells at equal generator steps, the critic taking five times the updates.",
    "irrelevant": ("progan.", "fastgan.", "gan.", "resnet19."),
    "reference": None,
}

SCORING = {"real": "fashion-mnist:test", "features": "fmnist", "n": 10000, "metrics": "fid,kid,is,pr", "seed": 0,
           "sample_seed": 1}

# Which generator is scored: the EMA generator (GAN Lab's default for sampling and evaluation) and the
# raw one, both in inference mode (batch norm from running statistics).
GENERATORS = ("ema", "raw")

IMPLS = ("ganlab", "pytorch")

# Environment of each implementation's processes. "ganlab-glibc" is GAN Lab as is, but on glibc malloc
# instead of TCMalloc: a diagnostic, because GAN Lab on TCMalloc hit NaNs in the first steps of a
# session (environment/repro/findings.md) and glibc did not.
IMPL_ENV = {"ganlab": {}, "pytorch": {}, "ganlab-glibc": {"GANLAB_ALLOCATOR": "system"}}


def job(recipe, impl, seed, budgets):
    return {"id": f"{recipe}/{impl}-seed{seed}", "recipe": recipe, "impl": impl, "seed": seed,
            "budgets": sorted(budgets)}


# (No ganlab-glibc jobs: without a NaN, GAN Lab on glibc logs exactly the TCMalloc run's losses, so
# those runs would repeat the ganlab rows; the variant stays available for a run that needs it.)
JOBS = [job("dcgan-fmnist28-ns", impl, seed, (1000, 5000)) for seed in (1, 2, 3) for impl in IMPLS]
# seeds outermost: every cell gets its first seed, then its second, so a stopped driver leaves a table
# with even spreads rather than some cells complete and others empty
JOBS += [job(f"grid-{loss}-{reg}", "ganlab", seed, (GRID_BUDGET,))
         for seed in GRID_SEEDS for loss in GRID_LOSSES for reg in GRID_REGULARISERS]

JOBS += [job("dcgan-fmnist28-quick", "ganlab", seed, (QUICK_BUDGET,)) for seed in (1, 2, 3)]
JOBS += [job("gan-fmnist28", "ganlab", seed, GAN_BUDGETS) for seed in (1, 2, 3)]
JOBS += [job("wgan-gp-w32", "ganlab", seed, (GRID_BUDGET,)) for seed in GRID_SEEDS]

# The floor of each score: real images scored as if generated (the first 10,000 training images against
# the test split), what a generator that matched the data would get with these features and counts.
FLOORS = {"fashion-mnist": "fashion-mnist:train"}


def config_for(j, steps):
    """The full TrainConfig of a job's run at a step budget."""
    c = copy.deepcopy(RECIPES[j["recipe"]]["config"])
    c["seed"] = j["seed"]
    c["steps"] = steps
    return c
