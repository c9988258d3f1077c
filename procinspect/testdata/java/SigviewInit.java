// SigviewInit is the JVM init of sigview's real-kernel tests
// (procinspect/kernel_linux_test.go): it says "ready" and sleeps. It has no
// signal code of its own, so what SIGTERM does to it is the JVM's default.
// The .class beside it is committed so the tests need only a JRE; rebuild
// with: javac --release 8 SigviewInit.java
public class SigviewInit {
    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
