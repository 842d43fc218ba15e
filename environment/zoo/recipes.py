"""The reference models' recipes (issue 17, item 2): for each, a GAN Lab TrainConfig and how it is scored.

environment/zoo/train_reference.py trains a recipe with `ganlab train --config RECIPE --resume`, samples
both generators with `ganlab sample`, scores them with `ganlab metrics` and exports the result into
lib/zoo/NAME with `ganlab export`. The exported config.json is the run's resolved config: every setting,
the ones a recipe leaves to the model's defaults included.

Which recipes have been trained is said in lib/zoo/README.md; the others are written, not yet run.
"""
import copy
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "repro"))
import jobs as REPRO  # noqa: E402  the reproduction's recipe table (environment/repro/jobs.py)

# Bookkeeping shared by the recipes: does not change the trained weights.
BOOKKEEPING = {"logEvery": 50, "sampleCount": 64, "keepCheckpoints": 2}

# Scoring on Fashion-MNIST, as the reproduction scores (jobs.SCORING): the whole test split against as many fakes,
# through GAN Lab's Fashion-MNIST feature network.
FMNIST_SCORING = {"real": "fashion-mnist:test", "features": "fmnist", "n": 10000, "metrics": "fid,kid,is,pr",
                  "seed": 0, "sample_seed": 1, "rank_by": "fid_fmnist"}

# FastGAN's recipe on the smileys, shared by its reference model and the curve that re-runs it (below).
FASTGAN_SMILEYS64 = {"model": "fastgan", "data": "emoji:smileys", "dataLimit": 100, "resolution": 64, "channels": 3,
                     "seed": 1, "steps": 4000, "sampleEvery": 1000, "checkpointEvery": 500,
                     "fastgan": {"gWidth": 32, "dWidth": 32},
                     # FastGAN's curve (issue 17, item 1): SWD and FID of the EMA generator every 1,000 steps
                     "eval": {"metrics": "swd,fid", "every": 1000, "n": 2000, "features": "fmnist",
                              "real": "emoji:smileys?limit=100", "ema": True},
                     **BOOKKEEPING}
SMILEYS_SCORING = {"real": "emoji:smileys?limit=100", "features": "fmnist", "n": 2000, "metrics": "swd,fid,kid",
                   "seed": 0, "sample_seed": 1, "rank_by": "swd_x1e3"}

# ProGAN (Karras et al. 2018) on the emoji at 32 px, sized for a CPU: a quarter of the paper's feature maps, latent
# 128, batch 16 at every resolution, 100,000 images per fade-in and per stabilisation (the paper: 800,000), the 32 px
# stabilisation included: 43,750 steps (700,000 images) in all. Shared by its reference model and the run that
# carries it on (below).
PROGAN_EMOJI32 = {"model": "progan", "data": "emoji", "resolution": 32, "channels": 3, "batch": 16, "seed": 1,
                  "steps": 43750, "sampleEvery": 2500, "checkpointEvery": 500,
                  "progan": {"fmapScale": 0.25, "latentSize": 128, "fadeInImages": 100000,
                             "stabiliseImages": 100000, "minibatch": {}},
                  # the curve of issue 17 (item 1: ProGAN at the largest budget, with its curve): SWD and FID of
                  # the EMA generator every 2,500 steps against the emoji at the stage's resolution (SWD from 16 px)
                  "eval": {"metrics": "swd,fid", "every": 2500, "n": 2000, "features": "fmnist",
                           "real": "emoji?resolution=32", "ema": True},
                  **BOOKKEEPING}
# The ProGAN paper's SWD (Laplacian-pyramid patches) ranks the generators, against the real emoji resized to the
# generator's 32 px by the spec's ?resolution option; FID and KID in the Fashion-MNIST network (a grey 28 px copy of
# each image; no Inception weights offline) are reported beside it.
PROGAN_SCORING = {"real": "emoji?resolution=32", "features": "fmnist", "n": 2000, "metrics": "swd,fid,kid",
                  "seed": 0, "sample_seed": 1, "rank_by": "swd_x1e3"}

# The DCGAN reference recipe scored while it trains: its EMA generator's FID and KID every 2,500 steps, 5,000 fakes
# against the test split (the reference recipe `dcgan-fmnist` and the curve run `dcgan-fmnist-curve` below).
DCGAN_FMNIST_CURVE = {**copy.deepcopy(REPRO.DCGAN_FMNIST28_NS), "seed": 1, "steps": 20000,
                      "eval": {"metrics": "fid,kid", "every": 2500, "n": 5000, "features": "fmnist",
                               "real": "fashion-mnist:test", "ema": True}}

# compare_gan's SNDCGAN on Fashion-MNIST at 32 px (the recipe `sndcgan-fmnist` below says why it is as it is), shared
# by its reference model and the run that carries it on.
SNDCGAN_FMNIST32 = {"model": "sndcgan", "data": "fashion-mnist", "resolution": 32, "channels": 1, "loss": "ns",
                    "batch": 64, "seed": 1, "steps": 4000, "sampleEvery": 1000, "checkpointEvery": 500,
                    "eval": {"metrics": "fid,kid", "every": 1000, "n": 5000, "features": "fmnist",
                             "real": "fashion-mnist:test", "ema": True},
                    **BOOKKEEPING}
# Scored against the test split brought to the generator's 32 px, as its training images were (and as the run's own
# evaluations do): the original 28 px would set images resampled twice against images resampled never, and the
# Fashion-MNIST features are sensitive to that blur (EMA FID 28.3 against the 28 px split, 2026-12-02, against 6.4 in
# the run's last evaluation at 32 px).
SNDCGAN_SCORING = dict(FMNIST_SCORING, real="fashion-mnist:test?resolution=32")

RECIPES = {
    # The reproduction's DCGAN (lib/REPRODUCTION.md, recipe dcgan-fmnist28-ns): PyTorch-GAN's generator and
    # discriminator, N(0, I) latents, non-saturating loss, Adam 2e-4 (0.5, 0.999), batch 64, seed 1, trained to
    # 30,000 steps, where its curve levels off (lib/zoo/README.md: two runs of it, on an AVX-512 EPYC, flat by the rule
    # over its last three evaluations (-0.39), and on an AVX-512 Xeon, -0.36 against one sd of 0.48), its EMA generator's FID and KID
    # scored every 2,500 steps (5,000 fakes against the test split; the evaluations leave the weights as they would
    # be, GanTrainerTest). Its first 5,000 steps are the reproduction table's seed-1 run's recipe, up to the
    # engine's arithmetic on another processor. (A build/zoo/dcgan-fmnist left by the 20,000-step recipe of that name
    # is another run, without evaluations, which the driver would resume: move it aside first.)
    "dcgan-fmnist": {
        "config": {**copy.deepcopy(DCGAN_FMNIST_CURVE), "steps": 30000},
        "scoring": FMNIST_SCORING,
        "title": "DCGAN on Fashion-MNIST, 28 px (the reproduction's recipe, seed 1), 30,000 steps",
    },
    # The same recipe at the 20,000-step budget issue 17 and notebook 01's full profile name, the reproduction's
    # seed-1 run (5,000 steps) resumed to 20,000 without evaluations (the reproduction table's 20,000-step row).
    # It was `dcgan-fmnist` until 2026-12-06. Its curve is `dcgan-fmnist-curve`'s (below), which eval_noise.py
    # reads for it ("curve").
    "dcgan-fmnist-20k": {
        "config": {**copy.deepcopy(REPRO.DCGAN_FMNIST28_NS), "seed": 1, "steps": 20000},
        "scoring": FMNIST_SCORING,
        "curve": "dcgan-fmnist-curve",
        "title": "DCGAN on Fashion-MNIST, 28 px (the reproduction's recipe, seed 1), 20,000 steps",
    },
    # The 20,000-step recipe trained again from step 0 with its EMA generator scored every 2,500 steps (FID and
    # KID, 5,000 fakes against the test split), for the curve that says whether 20,000 steps is converged: the
    # 20,000-step reference run scored nothing during training. Evaluations draw their own latents (seeded apart
    # from training) and leave the networks as they were, so this is that reference's run up to the engine's
    # arithmetic on another processor. Its last three evaluations (8.97, 7.93, 7.92 at 15,000-20,000) fell by 1.05,
    # 2.2 times one evaluation's measured sd, which led to the 30,000-step recipe above. Not a model of the zoo:
    # `export: False` keeps its export in the work folder.
    "dcgan-fmnist-curve": {
        "config": copy.deepcopy(DCGAN_FMNIST_CURVE),
        "scoring": FMNIST_SCORING,
        "export": False,
        "title": "DCGAN on Fashion-MNIST, 28 px: the 20,000-step reference recipe (`dcgan-fmnist-20k`) again, scored"
                 " every 2,500 steps",
    },
    # compare_gan's SNDCGAN (Kurach et al. 2019): spectrally normalised discriminator, Adam 2e-4 (0.5, 0.999),
    # batch 64, ns loss: the preset's defaults. Its layout needs a multiple of 8 px, so Fashion-MNIST at 32 px.
    # 4,000 steps: the first run of this recipe (10,000 steps, 2026-12-02, stopped at 7,189) scored its EMA
    # generator's FID at 17.15, 8.54, 6.75, 6.79, 7.49, 8.69, 9.52 after 1,000-7,000 steps (5,000 fakes), best at
    # 3,000-4,000 and rising after (lib/REPRODUCTION.md's findings), so the budget ends on that plateau rather than
    # past it. Same seed and settings, so the first 4,000 steps are that run's (up to the engine's arithmetic on
    # another processor); the exported run, on another processor, had not turned by 4,000 (8.74, 7.31, 6.44 at
    # 2,000-4,000: 5.5 times one evaluation's sd, lib/zoo/README.md). A step of batch 64 costs 0.94-1.03 s on 2 threads of an AVX-512 machine
    # (lib/BENCHMARKS.md), 1.90 s on 2 threads of the AVX-512 Xeon of 2026-12-06 (Intel family 6 model 207, where
    # DCGAN's 28 px step takes 0.33 s), and 3.0 s on 2 threads, 6.2 s on one, of the AVX2 EPYC of 2026-12-01
    # (`ganlab bench --model sndcgan --resolution 32 --batch 64 --steps 10 --threads N`); a run that outlasts its
    # sitting is carried to the next in parts (its checkpoint is about 130 MB).
    # The curve: FID and KID of the EMA generator every 1,000 steps, 5,000 fakes against the test split.
    "sndcgan-fmnist": {
        "config": SNDCGAN_FMNIST32,
        "scoring": SNDCGAN_SCORING,
        "title": "SNDCGAN on Fashion-MNIST, 32 px",
    },
    # The same recipe trained again from step 0 on to 8,000 steps with the same evaluations, for the curve that says
    # whether the exported run's still-falling FID (8.74, 7.31, 6.44 at 2,000-4,000) levels off past 4,000 or rises
    # as the first run's did from 5,000 on. Same seed and settings, so up to 4,000 steps it is the exported run up to
    # the engine's arithmetic on another processor (bit for bit on an AVX-512 EPYC like the exported run's, 2 threads).
    # About 2.2 h on that EPYC, 4.2 h on the Xeon of 2026-12-06 (model 207), 2.5 h on a Xeon of family 6 model 167;
    # a run that outlasts its sitting is carried (about 130 MB a carry, in parts). Trained 2026-12-06 on that model 167
    # Xeon: the first run's curve to the digit up to 7,000 steps, best at 3,000-4,000 and rising after to 8,000, so
    # the reference recipe's 4,000 steps stands (lib/zoo/README.md). Not a model of the zoo: `export: False`.
    "sndcgan-fmnist-long": {
        "config": {**copy.deepcopy(SNDCGAN_FMNIST32), "steps": 8000},
        "scoring": SNDCGAN_SCORING,
        "export": False,
        "title": "SNDCGAN on Fashion-MNIST, 32 px: the reference recipe (`sndcgan-fmnist`) on to 8,000 steps, scored"
                 " every 1,000",
    },
    # ProGAN (Karras et al. 2018) on the emoji at 32 px, sized for a CPU: PROGAN_EMOJI32 above.
    "progan-emoji32": {
        "config": PROGAN_EMOJI32,
        "scoring": PROGAN_SCORING,
        "title": "ProGAN on the emoji, 32 px",
    },
    # The same run carried on past its 43,750 steps at 32 px, for the curve that says where ProGAN's score stops
    # falling (the reference's still fell at its end: EMA SWD x1e3 12.18, 11.68, 10.78 at 40,000, 42,500 and 43,750).
    # The schedule is the reference's, so every step past 43,750 is more 32 px stabilisation (the official code, too,
    # trains on at the target resolution until its image budget ends): 62,500 steps is 1,000,000 images, 400,000 of
    # them in the 32 px stabilisation instead of 100,000. It starts from the reference's own checkpoint at step
    # 36,473, carried in git at 35b6c55 (lib/zoo/training/progan-emoji32; the export removed it): the first 7,277
    # steps replay the reference's last ones, the same run up to the engine's arithmetic on another processor. About
    # 2.35 s a step at 32 px on 2 threads of the AVX2 EPYC, 1.0-1.1 s on the AVX-512 one (from step 40,000 on, with
    # tests running beside it), so it is carried over several sittings. Its curve was flat within one evaluation's
    # measured noise from 45,000 to 50,000 (environment/zoo/eval_noise.py; still drifting down by about a seventh
    # of that noise per 1,000 steps: lib/zoo/README.md), so it stopped there, at 50,450, its
    # step-45,000 checkpoint carried; the steps to 62,500 are left for whoever wants them. Not a model of the zoo:
    # `export: False`.
    "progan-emoji32-long": {
        "config": {**copy.deepcopy(PROGAN_EMOJI32), "steps": 62500},
        "scoring": PROGAN_SCORING,
        "export": False,
        # said under the curve's status line in lib/REPRODUCTION.md (environment/zoo/curves.py copies it)
        "curve_note": ("The run continues the reference's own training checkpoint of step 36,473 (carried in git at "
                       "35b6c55), so its history up to there is the reference's: the evaluations and sample grids up"
                       " to 35,000 are the reference's (its rows of the table above), and its clock goes on from the"
                       " reference's 4.7 h at that step; from 37,500 on the evaluations are this run's, trained to"
                       " step 40,000 on an AVX2 processor and on from there on an AVX-512 one, the reference's kind"
                       " (the same run up to the engine's arithmetic: its 37,500, 40,000 and 42,500 rows set beside"
                       " the reference's show how much that moves the scores). It stopped at step 50,450 on"
                       " 2026-12-05: from 45,000 to 50,000 its SWD moved by less than one evaluation's measured noise"
                       " (below), so the steps to 62,500 were not trained. Git carries its step-45,000 checkpoint;"
                       " the later ones were not carried; resumed on an AVX-512 machine it gave the 47,500 row again"
                       " to the last digit twice (on another instruction set, another trajectory)."),
        "title": "ProGAN on the emoji, 32 px: the reference run (`progan-emoji32`) carried on past 43,750 steps"
                 " at 32 px, scored every 2,500",
    },
    # FastGAN (Liu et al. 2021) on the first 100 smileys at 64 px, sized for a CPU: half the official widths
    # (ngf = ndf = 32; the official 64 costs about 4.5 s a step on one core here, 25 hours for 20,000 steps), latent
    # 256, batch 8, DiffAugment color,translation (the official policy), hinge loss with FastGAN's random margin, 4,000 steps
    # (32,000 images, 320 passes over the 100): a run of the earlier 10,000-step recipe, lost at step 5,800 (its curve in lib/reproduction/curves as of 6e5a18d), had
    # SWD x1e3 30.3, 31.7, 30.0, 29.3 and FID_fmnist 2.26, 1.95, 1.81, 1.86 at 2,000 to 5,000 steps, flat within the
    # evaluation's noise from 4,000. The exported run (lib/zoo/fastgan-smileys64, its curve in lib/REPRODUCTION.md)
    # took 0.54 s a step on 2 threads of an AVX-512 EPYC, 1.5 s on an AVX2 one; a run that outlasts its sitting is
    # carried to the next in parts (191 MB checkpoint; lib/zoo/README.md).
    "fastgan-smileys64": {
        "config": FASTGAN_SMILEYS64,
        "scoring": SMILEYS_SCORING,
        "title": "FastGAN on 100 smileys, 64 px",
    },
    # The same recipe trained again from step 0 on to 8,000 steps, twice the exported model's budget, with the same
    # evaluations (SWD and FID of the EMA generator every 1,000 steps, 2,000 fakes), for the curve that says whether
    # 4,000 steps ends on a plateau: the exported run stopped there for the CPU time, its last evaluation 3.3 lower
    # (29.77 to 26.52), about one evaluation's noise, so its curve cannot say. Same seed and settings, so its first
    # 4,000 steps are the reference's run up to the engine's arithmetic on another processor. Not a model of the
    # zoo: `export: False`.
    "fastgan-smileys64-curve": {
        "config": {**copy.deepcopy(FASTGAN_SMILEYS64), "steps": 8000},
        "scoring": SMILEYS_SCORING,
        "export": False,
        "title": "FastGAN on 100 smileys, 64 px: the reference recipe (`fastgan-smileys64`) on to 8,000 steps,"
                 " scored every 1,000",
    },
}
