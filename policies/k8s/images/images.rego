# METADATA
# title: Container image build files of the campus
# description: |
#   Checks over a Dockerfile parsed by dockerfile-parse (input.instructions: a list of
#   {"instruction", "value"}), beside hadolint's general rules: the base image is pinned
#   to an exact version or a digest, the image ends as a non-root user, every pip install
#   is pinned (a constraints file, hashes, or == on each package; the local project only
#   with --no-deps), and nothing is downloaded from the internet at build time.
package k8s.images

# METADATA
# title: Every problem found, one line each (empty when the Dockerfile passes)
# entrypoint: true
deny contains "no FROM instruction" if {
	count(instructions("FROM")) == 0
}

deny contains sprintf("base image %s is not pinned to a version or digest", [image]) if {
	some value in instructions("FROM")
	image := split(value, " ")[0]
	not pinned(image)
}

deny contains "the image runs as root (no USER, or USER root)" if {
	users := instructions("USER")
	not non_root(users)
}

deny contains sprintf("unpinned pip install: %s", [trim_space(command)]) if {
	some value in instructions("RUN")
	some command in split(value, "&&")
	contains(command, "pip install")
	not pip_pinned(command)
}

deny contains sprintf("ADD fetches %s at build time", [value]) if {
	some value in instructions("ADD")
	regex.match(`https?://`, value)
}

deny contains sprintf("RUN downloads with %s at build time", [tool]) if {
	some value in instructions("RUN")
	some tool in data.k8s.images.download_tools
	regex.match(sprintf(`(^|[\s;&|(])%s\s`, [tool]), value)
}

instructions(kind) := [i.value | some i in input.instructions; i.instruction == kind]

pinned(image) if contains(image, "@sha256:")

pinned(image) if {
	parts := split(image, ":")
	count(parts) == 2
	regex.match(data.k8s.images.pinned_tag_pattern, parts[1])
}

non_root(users) if {
	count(users) > 0
	last := trim_space(users[count(users) - 1])
	not last in data.k8s.images.root_users
}

# METADATA
# title: A pip install is pinned by a constraints file or hashes, or names only pinned packages
pip_pinned(command) if {
	some option in data.k8s.images.pip_pin_options
	option in split(command, " ")
}

pip_pinned(command) if {
	after := split(command, "pip install")[1]
	packages := [p | some p in split(after, " "); p != ""; not startswith(p, "-")]
	count(packages) > 0
	every p in packages {
		package_pinned(p, after)
	}
}

package_pinned(p, _) if contains(p, "==")

package_pinned(".", args) if "--no-deps" in split(args, " ")
