#!/bin/sh
# Trains, scores and exports the reference model NAME into lib/zoo/NAME (resumable: run it again to continue).
#   environment/zoo/train-reference.sh NAME [--threads N]      environment/zoo/train-reference.sh --list
# See environment/zoo/train_reference.py for the stages and environment/zoo/recipes.py for the recipes.
exec /usr/bin/python3 "$(dirname "$0")/train_reference.py" "$@"
