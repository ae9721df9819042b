package dev.ddbbulk.tools.local;

import dev.ddbbulk.core.job.InvalidJobException;
import dev.ddbbulk.core.job.ItemProcessors;
import dev.ddbbulk.core.job.JobConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * The jar of {@code --processor-jar}: its classes over the tool's own, from which the seeder's check and every
 * local worker load the job's processor, as the deployed functions load it from a Lambda layer.
 */
public final class ProcessorJar implements AutoCloseable {
    private final Path path;
    private final URLClassLoader loader;

    private ProcessorJar(Path path, URLClassLoader loader) {
        this.path = path;
        this.loader = loader;
    }

    /**
     * Opens the jar at {@code path}; none (processors from the classpath alone) when {@code path} is null.
     *
     * @throws InvalidJobException when {@code path} is not a readable jar
     */
    public static ProcessorJar open(Path path) {
        if (path == null) {
            return new ProcessorJar(null, null);
        }
        if (!Files.isRegularFile(path)) {
            throw new InvalidJobException("--processor-jar " + path + " is not a file; build your processor's jar"
                    + " and give its path");
        }
        // Opening a jar reads its central directory: a file that is not one fails here, not at the first class.
        try (JarFile jar = new JarFile(path.toFile())) {
            jar.getManifest();
        } catch (IOException e) {
            throw new InvalidJobException("--processor-jar " + path + " is not a jar (" + e.getMessage()
                    + "); give the jar built from your processor's sources", e);
        }
        try {
            return new ProcessorJar(path, new URLClassLoader(new URL[] {path.toUri().toURL()},
                    ProcessorJar.class.getClassLoader()));
        } catch (MalformedURLException e) {
            throw new InvalidJobException("--processor-jar " + path + " cannot be read as a URL; give a plain file path",
                    e);
        }
    }

    /** Loads processor classes: the jar's, then the tool's. */
    public ClassLoader classes() {
        return loader != null ? loader : ItemProcessors.defaultClassLoader();
    }

    /**
     * Refuses a job whose processor class is in neither the jar nor the classpath, naming the jar, before the
     * general check of {@link ItemProcessors#create(String, ClassLoader)} that does not know of it.
     *
     * @throws InvalidJobException when the class cannot be found or linked
     */
    public void requireProcessor(JobConfig job) {
        if (loader == null || job.updatesWithExpression() || ItemProcessors.builtInNames().contains(job.processor())) {
            return;
        }
        try {
            Class.forName(job.processor(), false, loader);
        } catch (ClassNotFoundException e) {
            throw new InvalidJobException("ItemProcessor class '" + job.processor() + "' is not in --processor-jar "
                    + path + "; check --processor (the fully qualified class name) or rebuild the jar with it", e);
        } catch (LinkageError e) {
            throw new InvalidJobException("ItemProcessor class '" + job.processor() + "' in --processor-jar " + path
                    + " cannot be loaded (" + e + "); bundle the classes it needs into the jar", e);
        }
    }

    @Override
    public void close() {
        if (loader == null) {
            return;
        }
        try {
            loader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not close --processor-jar " + path, e);
        }
    }
}
