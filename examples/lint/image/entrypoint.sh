#!/bin/sh
# Waits for the database, then runs the app -- but without exec, so sh stays PID 1
# and the app never sees SIGTERM. Fix: `exec python /app/app.py`.
set -e
until nc -z db 5432; do sleep 1; done
python /app/app.py
