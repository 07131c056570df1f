#!/usr/bin/env node
// commit-and-tag-version's `postchangelog` hook (.versionrc.json), run by `npm run release` after the tool has
// written the new release's entry into CHANGELOG.md. The tool builds the entry from the Conventional Commits since
// the last tag and writes `header + entry + everything from the previous release's heading on`, so the
// hand-written `## [Unreleased]` notes (and, before the first release, the file's own header) are lost or
// doubled. This rewrites the file from the committed one: its header, an empty [Unreleased] section for the next
// release, the new entry's heading, the [Unreleased] notes, the commit list under a heading of its own (its
// sections one level down, so they do not repeat the notes' `### Added`), and the earlier releases unchanged.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');

const FILE = process.argv[2] ?? 'CHANGELOG.md';
const UNRELEASED = '## [Unreleased]';
/** A release heading as the tool writes it (`## 0.1.0 (date)`, `## [0.2.0](link) (date)`). */
const RELEASE_HEADING = /^#{2,3} \[?\d+\.\d+\.\d+/m;

const committed = execFileSync('git', ['show', `HEAD:${FILE}`], { encoding: 'utf8' });
const written = fs.readFileSync(FILE, 'utf8');

const unreleasedAt = committed.indexOf(UNRELEASED);
if (unreleasedAt < 0) throw new Error(`${FILE}: the committed file has no '${UNRELEASED}' section`);
const header = committed.slice(0, unreleasedAt);
const releasesAt = committed.search(RELEASE_HEADING);
const releases = releasesAt < 0 ? '' : committed.slice(releasesAt);
const notes = committed.slice(unreleasedAt + UNRELEASED.length, releasesAt < 0 ? undefined : releasesAt).trim();

// The new entry: from the first release heading the tool wrote to where the committed text it appended begins
// (all of it before the first release, the earlier releases after).
const entryAt = written.search(RELEASE_HEADING);
if (entryAt < 0) throw new Error(`${FILE}: commit-and-tag-version wrote no release heading`);
const appended = (releasesAt < 0 ? committed : releases).replace(/\n+$/, '');
const entryEnd = appended ? written.lastIndexOf(appended) : written.length;
if (entryEnd < entryAt) throw new Error(`${FILE}: cannot find the earlier releases after the new entry`);
const entry = written.slice(entryAt, entryEnd).trim();
const [heading, ...rest] = entry.split('\n');
const commitList = rest.join('\n').trim().replace(/^### /gm, '#### ').replace(/\n{3,}/g, '\n\n');
const commits = commitList === '' ? '' : `### Commits\n\n${commitList}`;

const parts = [header.replace(/\n+$/, ''), UNRELEASED, heading, notes, commits, releases.replace(/\n+$/, '')];
fs.writeFileSync(FILE, parts.filter((p) => p !== '').join('\n\n') + '\n');
