package dev.ddbbulk.seeder;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Loads a CloudFormation/SAM YAML template into plain maps and lists, turning the short-form intrinsic tags
 * ({@code !Ref X}, {@code !GetAtt A.B}, {@code !Sub ...}, {@code !If [...]}, ...) into their long JSON form
 * ({@code {"Ref": "X"}}, {@code {"Fn::GetAtt": ["A", "B"]}}, ...), as CloudFormation itself reads them.
 */
final class CloudFormationYaml {
    static final List<String> INTRINSICS = List.of("Ref", "Condition", "GetAtt", "Sub", "If", "Equals", "Not",
            "And", "Or", "Select", "Join", "Split", "FindInMap", "Base64", "Cidr", "ImportValue", "GetAZs",
            "Transform", "Length", "ToJsonString");

    private CloudFormationYaml() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(Path template) throws IOException {
        Yaml yaml = new Yaml(new IntrinsicConstructor(new LoaderOptions()));
        try (Reader reader = Files.newBufferedReader(template)) {
            return (Map<String, Object>) yaml.load(reader);
        }
    }

    private static final class IntrinsicConstructor extends SafeConstructor {
        IntrinsicConstructor(LoaderOptions options) {
            super(options);
            for (String name : INTRINSICS) {
                String key = name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name;
                yamlConstructors.put(new Tag("!" + name), new Intrinsic(key));
            }
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode scalar) {
                    value = constructScalar(scalar);
                    if (key.equals("Fn::GetAtt")) {
                        value = List.of(((String) value).split("\\.", 2));
                    }
                } else if (node instanceof SequenceNode sequence) {
                    value = constructSequence(sequence);
                } else {
                    value = constructMapping((MappingNode) node);
                }
                return Map.of(key, value);
            }
        }
    }
}
