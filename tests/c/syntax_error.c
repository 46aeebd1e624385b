/* Does not compile: the runner must show gcc's message. */
int run_test(void)
{
    return undeclared_variable;
}
