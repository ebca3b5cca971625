#!/usr/bin/env bash
# Copies the test fixtures into each target's corpus as starting inputs.
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../crates/cqc/tests/fixtures
seed() { mkdir -p "corpus/$1"; cp "${@:2}" "corpus/$1/"; }
seed cqc_directory "$fixtures"/directory*.csv
seed cqc_ratings "$fixtures"/ratings*.csv
seed cqc_simple "$fixtures"/simple.csv
seed cqc_api "$fixtures"/api/*.json
seed provider_returns ../examples/provider-returns.csv
# Spreadsheets (a first byte choosing ODS or XLSX, then the file) made from the
# directory fixture's header and first rows.
seed spreadsheet seeds/spreadsheet/*
mkdir -p corpus/feedback corpus/complaint corpus/rating_input
printf '\0respondent=person&overall=good&answers.safe=good&story=fine&anonymous=yes' > corpus/feedback/form
printf '\1{"respondent":"person","overall":"good","answers":{"safe":"good"},"story":"fine"}' > corpus/feedback/json
printf '\0what_happened=late&relationship=self&name=A&email=a%%40example.org' > corpus/complaint/form
printf '\1{"what_happened":"late","relationship":"self","name":"A","email":"a@example.org"}' > corpus/complaint/json
printf '\2{"step":"acknowledged","on":"2026-06-01"}' > corpus/complaint/step
cp ../examples/assessment.json corpus/rating_input/
