#!/bin/sh
# A stand-in training program for `ctune tune` tests.
# usage: tune_stub.sh MODE X
#   ok     prints a line of text, "step=K value=V" for K = 0..3 (V = X * (K + 1)),
#          then the objective X on a line of its own text ("loss: X")
#   fail   exits with status 3 after printing X
#   quiet  prints no number
#   slow   sleeps 0.2 s, then prints X
mode=$1
x=$2
case "$mode" in
ok)
    echo "training with x=$x"
    for k in 0 1 2 3; do
        echo "step=$k value=$(awk "BEGIN { print $x * ($k + 1) }")"
    done
    echo "loss: $x"
    ;;
fail)
    echo "$x"
    exit 3
    ;;
quiet)
    echo "nothing to see"
    ;;
slow)
    sleep 0.2
    echo "$x"
    ;;
esac
