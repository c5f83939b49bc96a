fn main() -> std::process::ExitCode {
    regiomonitor::cli::main()
}
