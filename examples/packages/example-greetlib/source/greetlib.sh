# example-greetlib: shell functions that greet (a CiJobs example package).
greet() {
    printf 'Hello, %s!\n' "${1:-world}"
}
